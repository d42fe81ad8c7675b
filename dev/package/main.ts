/**
 * `npm run package`: the folder `func azure functionapp publish` ships, a few files:
 *
 *   dist/main.js (+ .map)            the app and its production dependencies, bundled by esbuild
 *   dist/vendor/*.js (+ .map)        applicationinsights, @azure/identity, @azure/keyvault-keys: bundled, loaded only when used
 *   host.json
 *   package.json                     "main": "dist/main.js"; no dependencies (all bundled), no scripts
 *   .funcignore
 *   local.settings.json              FUNCTIONS_WORKER_RUNTIME=node only, for Core Tools' publish; never uploaded
 *
 * Deploy with: cd dist-package && func azure functionapp publish <app-name>
 * With nothing left to install, no remote build runs. Stack traces map back to the
 * TypeScript sources with NODE_OPTIONS=--enable-source-maps (an app setting).
 *
 *   node dist-dev/dev/package/main.js [--out <dir>] [--quiet]
 *
 * stdout: one JSON line, the package's path, size and largest contributors (see PackageReport).
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { findAppRoot } from 'azure-functions-entra-dev/toolkit';
import { buildPackage, type PackageReport } from './buildPackage';
import { measurePackage } from './packageSize';

const root = findAppRoot(__dirname);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, quiet: { type: 'boolean', default: false } } });
  const out = path.resolve(values.out ?? path.join(root, 'dist-package'));
  rmSync(out, { recursive: true, force: true });
  const report: PackageReport = await buildPackage({ root, out });
  cpSync(path.join(root, 'host.json'), path.join(out, 'host.json'));
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(shippedPackageJson(), null, 2)}\n`);
  writeFileSync(path.join(out, '.funcignore'), 'local.settings.json\n');
  writeFileSync(path.join(out, 'local.settings.json'), `${JSON.stringify(PUBLISH_SETTINGS, null, 2)}\n`);
  const final = { package: out, ...measurePackage(out), ...report };
  if (!values.quiet) {
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
    process.stderr.write(`package: ${final.files} files, ${mb(final.bytes)} in ${out}\n`);
    for (const bundle of final.bundles) {
      const top = bundle.contributors.slice(0, 4).map((c) => `${c.name} ${mb(c.bytes)}`).join(', ');
      process.stderr.write(`  ${bundle.file} ${mb(bundle.bytes)} (+ map ${mb(bundle.sourceMapBytes)}): ${top}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify(final)}\n`);
}

/**
 * What `func azure functionapp publish`, run in the package folder, needs to know the
 * app is Node.js, and nothing else (no secrets: the file sits next to the bundle).
 * Core Tools takes the worker runtime from a language flag, else FUNCTIONS_WORKER_RUNTIME
 * in the environment, else in local.settings.json, found in the nearest folder holding
 * host.json or local.settings.json (azure-functions-core-tools at 3ee97a6:
 * src/Cli/func/Helpers/WorkerRuntimeLanguageHelper.cs lines 209-218,
 * src/Cli/func/Common/SecretsManager.cs lines 19-38); with none it stops
 * (src/Cli/func/Helpers/GlobalCoreToolsSettings.cs line 48). It never zips
 * local.settings.json (src/Cli/func/Common/FileSystemHelpers.cs line 139), and
 * .funcignore names it too.
 */
const PUBLISH_SETTINGS = { IsEncrypted: false, Values: { FUNCTIONS_WORKER_RUNTIME: 'node' } } as const;

/** The repository's package.json, pointed at the bundle: everything is in it, so nothing is listed to install. */
function shippedPackageJson(): Record<string, unknown> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  const shipped: Record<string, unknown> = {};
  for (const field of ['name', 'version', 'private', 'description', 'license', 'engines']) {
    if (pkg[field] !== undefined) shipped[field] = pkg[field];
  }
  return { ...shipped, main: 'dist/main.js' };
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run package: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
