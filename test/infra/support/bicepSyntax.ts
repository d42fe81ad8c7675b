import { readFileSync } from 'node:fs';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/**
 * Syntax checking for Bicep without the Bicep CLI: the tree-sitter-bicep grammar
 * (WebAssembly build) under web-tree-sitter.
 *
 * The grammar (tree-sitter-bicep 1.1.0) predates two things this repo's Bicep uses:
 *   - `extension <name>` (Bicep 0.30+ renamed `import 'name'`/`provider 'name'` to it);
 *   - the spread operator `...expr` inside object and array literals (Bicep 0.34+).
 * `adaptToLegacyGrammar` rewrites exactly those two constructs into forms the grammar
 * knows, and nothing else:
 *   - a line that starts at column 0, outside any bracket, with `extension <identifier>`
 *     or `extension '<string>'` becomes `import '<identifier>'` / `import '<string>'`;
 *     whatever follows (`with {...}`, `as alias`) is left for the grammar to judge;
 *   - `...` directly inside `{ }` becomes the property key `_s:` and directly inside
 *     `[ ]` becomes the unary `!  `; both still demand an expression after them, so a
 *     bare `...` stays an error and the spread expression itself is still parsed.
 * Strings, interpolations and comments are skipped, so `...` or `extension` in text is
 * untouched, and a spread anywhere else (say, in a function call) stays an error.
 * Every replacement has the length of what it replaces, so reported lines and columns
 * are those of the original file.
 */
export function adaptToLegacyGrammar(source: string): string {
  const out = source.split('');
  const replace = (at: number, text: string): void => {
    for (let k = 0; k < text.length; k++) out[at + k] = text.charAt(k);
  };
  // Open brackets; '${' marks an interpolation, whose '}' returns to the enclosing string.
  const stack: ('{' | '[' | '(' | '${')[] = [];
  let inString = false;
  let i = 0;
  while (i < source.length) {
    const c = source.charAt(i);
    if (inString) {
      if (c === '\\') i += 2;
      else if (source.startsWith('${', i)) {
        stack.push('${');
        inString = false;
        i += 2;
      } else {
        if (c === "'") inString = false;
        i += 1;
      }
      continue;
    }
    if (source.startsWith("'''", i)) {
      const close = source.indexOf("'''", i + 3);
      i = close === -1 ? source.length : close + 3;
    } else if (c === "'") {
      inString = true;
      i += 1;
    } else if (source.startsWith('//', i)) {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? source.length : eol;
    } else if (source.startsWith('/*', i)) {
      const close = source.indexOf('*/', i + 2);
      i = close === -1 ? source.length : close + 2;
    } else if (c === '{' || c === '[' || c === '(') {
      stack.push(c);
      i += 1;
    } else if (c === '}' || c === ']' || c === ')') {
      if (stack.pop() === '${') inString = true;
      i += 1;
    } else if (source.startsWith('...', i) && (stack.at(-1) === '{' || stack.at(-1) === '[')) {
      replace(i, stack.at(-1) === '{' ? '_s:' : '!  ');
      i += 3;
    } else if (stack.length === 0 && (i === 0 || source.charAt(i - 1) === '\n') && source.startsWith('extension', i)) {
      i = rewriteExtension(source, i, replace);
    } else {
      i += 1;
    }
  }
  return out.join('');
}

const EXTENSION_IDENTIFIER = /extension([ \t]+)([A-Za-z_][A-Za-z0-9_]*)/y;
const EXTENSION_STRING = /extension(?=[ \t]+')/y;

/** Rewrites a top-level `extension` clause in place; returns where scanning resumes. */
function rewriteExtension(source: string, at: number, replace: (at: number, text: string) => void): number {
  EXTENSION_IDENTIFIER.lastIndex = at;
  const named = EXTENSION_IDENTIFIER.exec(source);
  if (named) {
    const [whole, gap = ' ', name = ''] = named;
    // 'extension' is three characters longer than 'import'; the quotes take two, a space the third.
    replace(at, `import${gap}'${name}' `);
    return at + whole.length;
  }
  EXTENSION_STRING.lastIndex = at;
  if (EXTENSION_STRING.test(source)) {
    replace(at, 'import   ');
    return at + 'extension'.length;
  }
  return at + 1;
}

export interface SyntaxProblem {
  readonly kind: 'ERROR' | 'MISSING';
  /** 1-based, in the original source. */
  readonly line: number;
  readonly column: number;
  readonly text: string;
}

export interface ParsedBicep {
  readonly tree: Tree;
  readonly root: Node;
  readonly problems: readonly SyntaxProblem[];
}

let parserReady: Promise<Parser> | undefined;

function bicepParser(): Promise<Parser> {
  parserReady ??= (async () => {
    await Parser.init();
    // Bytes, not a path: loading from a path makes web-tree-sitter import('fs') dynamically,
    // which Jest's CommonJS sandbox refuses.
    const language = await Language.load(readFileSync(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm')));
    return new Parser().setLanguage(language);
  })();
  return parserReady;
}

/**
 * Parses Bicep source and lists every ERROR and MISSING node. The source is adapted for
 * the grammar first unless `adapt` is false (tests use that to show the adapter is needed).
 */
export async function parseBicep(source: string, options: { adapt?: boolean } = {}): Promise<ParsedBicep> {
  const parser = await bicepParser();
  const tree = parser.parse(options.adapt === false ? source : adaptToLegacyGrammar(source));
  if (!tree) throw new Error('tree-sitter returned no tree');
  const problems: SyntaxProblem[] = [];
  collectProblems(tree.rootNode, problems);
  return { tree, root: tree.rootNode, problems };
}

function collectProblems(node: Node, out: SyntaxProblem[]): void {
  const at = { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
  if (node.isMissing) {
    out.push({ kind: 'MISSING', ...at, text: `missing ${node.type}` });
    return;
  }
  if (node.isError) {
    out.push({ kind: 'ERROR', ...at, text: node.text.split('\n')[0]?.slice(0, 80) ?? '' });
    return;
  }
  if (!node.hasError) return;
  for (const child of node.children) collectProblems(child, out);
}

export function describeProblems(file: string, problems: readonly SyntaxProblem[]): string[] {
  return problems.map((p) => `${file}:${p.line}:${p.column} ${p.kind} ${p.text}`);
}
