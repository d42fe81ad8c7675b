'use strict';
const path = require('node:path');

/**
 * The package boundary, as a lint rule: a file inside packages/<name>/ imports nothing
 * outside that folder by a relative path (only node:, npm packages and its own files),
 * and the app (functions/, lib/, its dev tools in dev/) reaches a package only by its name, as an outside app
 * would, never by a relative path into packages/.
 */
const PACKAGES = 'packages';

function packageRootOf(file, repoRoot) {
  const relative = path.relative(repoRoot, file).split(path.sep);
  return relative[0] === PACKAGES && relative.length > 2 ? path.join(repoRoot, PACKAGES, relative[1]) : undefined;
}

const packageBoundary = {
  meta: { type: 'problem', schema: [], messages: {
    leaves: 'A package imports nothing outside its own folder: "{{spec}}" resolves to {{target}}.',
    reachesIn: 'The app uses a package by its name only, as an outside app would: "{{spec}}" reaches into packages/ by path.',
  } },
  create(context) {
    const repoRoot = context.cwd;
    const file = context.filename;
    const ownPackage = packageRootOf(file, repoRoot);
    const top = path.relative(repoRoot, file).split(path.sep)[0];
    const isApp = top === 'functions' || top === 'lib' || top === 'dev';
    function check(node, spec) {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      if (ownPackage && !(target + path.sep).startsWith(ownPackage + path.sep)) {
        context.report({ node, messageId: 'leaves', data: { spec, target: path.relative(repoRoot, target) } });
      }
      if (isApp && path.relative(repoRoot, target).split(path.sep)[0] === PACKAGES) context.report({ node, messageId: 'reachesIn', data: { spec } });
    }
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value);
      },
    };
  },
};

module.exports = { packageBoundary };
