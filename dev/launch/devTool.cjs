'use strict';
/**
 * Runs a built dev tool, building the dev tools first only when their build is
 * missing or older than its sources, e.g.
 *   node dev/launch/devTool.cjs infra/main
 * runs dist-dev/dev/infra/main.js, and `node dev/launch/devTool.cjs entra-dev token ...`
 * the dev package's command line (packages/azure-functions-entra-dev, built when stale). Plain JavaScript, because it has to run before
 * anything is compiled; `npm run -s build:dev && node ...` paid a full tsc (seconds)
 * on every call.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const outDir = path.join(root, 'dist-dev');
const SOURCE = /\.(ts|mts|cts|json)$/;

/** Folders no TypeScript build reads: installed packages, and the .NET callers' build output (dev/callers/dotnet). */
const SKIPPED = new Set(['node_modules', 'bin', 'obj']);

/** The newest source file under dir (name and mtime), skipping installed packages and build output. */
function newestSource(dir, newest) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return newest;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) newest = newestSource(file, newest);
    } else if (SOURCE.test(entry.name)) {
      const mtimeMs = statSync(file).mtimeMs;
      if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest;
}

/** Why the build must run first, or undefined when the built entry is newer than every input. */
function staleness(built) {
  if (!existsSync(built)) return `${path.relative(root, built)} is missing`;
  const builtAt = statSync(built).mtimeMs;
  // Every top-level folder the build writes (dev, lib, infra's JSON) is a source root, plus the tsconfigs.
  let newest = { file: undefined, mtimeMs: 0 };
  for (const config of ['tsconfig.dev.json', 'tsconfig.json']) {
    const file = path.join(root, config);
    if (existsSync(file) && statSync(file).mtimeMs > newest.mtimeMs) newest = { file, mtimeMs: statSync(file).mtimeMs };
  }
  for (const folder of readdirSync(outDir)) newest = newestSource(path.join(root, folder), newest);
  return newest.mtimeMs > builtAt ? `${path.relative(root, newest.file)} changed since the last build` : undefined;
}

/** The workspace packages the dev tools import by name: each is built from its own sources first when stale. */
function buildStalePackages() {
  const packagesDir = path.join(root, 'packages');
  if (!existsSync(packagesDir)) return;
  for (const name of readdirSync(packagesDir)) {
    const dir = path.join(packagesDir, name);
    const config = path.join(dir, 'tsconfig.build.json');
    if (!existsSync(config)) continue;
    const built = path.join(dir, 'dist', 'index.js');
    const newest = newestSource(path.join(dir, 'src'), { file: undefined, mtimeMs: 0 });
    if (existsSync(built) && statSync(built).mtimeMs >= newest.mtimeMs) continue;
    process.stderr.write(`[dev tools] packages/${name} ${existsSync(built) ? 'changed since its last build' : 'is not built'}: building it\n`);
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', config], { cwd: dir, stdio: ['ignore', 2, 2] });
    if (tsc.status !== 0) {
      if (existsSync(built)) utimesSync(built, 0, 0);
      process.stderr.write(`[dev tools] packages/${name} failed to build (tsc exit ${tsc.status ?? tsc.signal}): fix the errors above\n`);
      process.exit(1);
    }
  }
}

function main() {
  const [entry, ...args] = process.argv.slice(2);
  if (!entry) {
    process.stderr.write('usage: node dev/launch/devTool.cjs <tool under dev/, e.g. infra/main, or entra-dev <command>> [args...]\n');
    process.exit(2);
  }
  buildStalePackages();
  if (entry === 'entra-dev') {
    // The dev package's command line, exactly as an app that installed it runs it (its bin).
    const pkg = require.resolve('azure-functions-entra-dev/package.json', { paths: [root] });
    const bin = path.join(path.dirname(pkg), require(pkg).bin['entra-dev']);
    process.argv = [process.argv[0], bin, ...args];
    require(bin);
    return;
  }
  const built = path.join(outDir, 'dev', `${entry}.js`);
  const why = staleness(built);
  if (why) {
    process.stderr.write(`[dev tools] ${why}: building them (tsc -p tsconfig.dev.json)\n`);
    // tsc's output goes to stderr: stdout is the tool's (TOKEN=$(npm run -s token ...)).
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.dev.json')], {
      cwd: root,
      stdio: ['ignore', 2, 2],
    });
    if (tsc.status !== 0) {
      // tsc emits despite type errors; dating the entry back makes the next run build again.
      if (existsSync(built)) utimesSync(built, 0, 0);
      process.stderr.write(`[dev tools] the build failed (tsc exit ${tsc.status ?? tsc.signal}): fix the errors above\n`);
      process.exit(1);
    }
    if (!existsSync(built)) {
      process.stderr.write(`[dev tools] no dev tool ${entry}: ${path.relative(root, built)} was not built\n`);
      process.exit(2);
    }
  }
  // The tool runs in this process, as if started as `node <built> args...`.
  process.argv = [process.argv[0], built, ...args];
  require(built);
}

main();
