/**
 * `npm run package`: the folder `func azure functionapp publish` ships. The built
 * app (dist/), host.json, package.json without scripts (so no build runs again
 * remotely) and the lock file, with production dependencies installed from it.
 * Deploy with: cd dist-package && func azure functionapp publish <app-name>
 *
 *   node dist-dev/dev/package/main.js [--out <dir>] [--no-install]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../entra-standin/devPaths';

const root = repoRoot(__dirname);

function main(argv: readonly string[]): void {
  const outIndex = argv.indexOf('--out');
  const out = path.resolve(outIndex >= 0 ? (argv[outIndex + 1] ?? '') : path.join(root, 'dist-package'));
  const install = !argv.includes('--no-install');
  if (!existsSync(path.join(root, 'dist/functions'))) throw new Error('dist/ is missing: run npm run build first');

  rmSync(out, { recursive: true, force: true });
  cpSync(path.join(root, 'dist'), path.join(out, 'dist'), { recursive: true });
  for (const file of ['host.json', 'package-lock.json']) cpSync(path.join(root, file), path.join(out, file));
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  // Scripts stay behind: the package is already built, and a remote build must not try again without sources.
  const shipped = { ...pkg };
  delete shipped.scripts;
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(shipped, null, 2)}\n`);
  writeFileSync(path.join(out, '.funcignore'), 'local.settings.json\n');
  if (install) {
    // devDependencies stay listed (the lock file must match) but are not installed.
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: out,
      stdio: 'inherit',
    });
  }
  process.stdout.write(`${JSON.stringify({ package: out })}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`npm run package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
