import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A Functions v4 TypeScript app laid out as `func init --worker-runtime node --language
 * typescript` and `func new --template "HTTP trigger" --name invoices` lay it out
 * (package.json `main` dist/src/{index.js,functions/*.js}, src/index.ts with app.setup,
 * src/functions/invoices.ts, host.json, tsconfig.json with outDir dist), except that the
 * function is protected with the auth package and TypeScript is strict.
 */

/** The README quick start, as an outside app writes it (checked to stay within 15 lines). */
export const INVOICES_FUNCTION = `import { anyOf, createEntraAuth, defineRoute } from 'azure-functions-entra-auth';

// AUTH_TENANT_ID, AUTH_CLIENT_ID, AUTH_APP_ID_URI come from the app settings.
const auth = createEntraAuth({ env: process.env });

const invoices = defineRoute('invoices', 'invoices', {
  GET: { appRoles: anyOf('Invoices.Read'), scopes: anyOf('Invoices.Read') },
});

auth.registerRoute(invoices, {
  GET: (_request, _context, caller) => ({ jsonBody: { tenant: caller.tenantId, invoices: [] } }),
});
`;

/**
 * The app's own test, as an app using the dev package writes it: node:test (what a func-init
 * app has without adding a framework), an in-process stand-in, a direct call of the handler.
 */
export const INVOICES_TEST = `import { strict as assert } from 'node:assert';
import { after, before, test } from 'node:test';
import { anyOf, createEntraAuth, defineRoute } from 'azure-functions-entra-auth';
import { invoke, startLocalEntra, type LocalEntra } from 'azure-functions-entra-dev';

const invoices = defineRoute('invoices', 'invoices', { GET: { appRoles: anyOf('Invoices.Read') } });
let kit: LocalEntra;
before(async () => {
  kit = await startLocalEntra(); // the app's own local.entra.json
});
after(() => kit.stop());

async function call(token?: string) {
  const handler = createEntraAuth({ env: kit.settings('invoices-api') }).routeHandler(invoices, { GET: () => ({ jsonBody: [] }) });
  const headers: Record<string, string> = token === undefined ? {} : { authorization: \`Bearer \${token}\` };
  return invoke(handler, { method: 'GET', url: 'http://localhost/api/invoices', headers });
}

test('a daemon holding Invoices.Read gets 200', async () => {
  assert.equal((await call(await kit.token({ api: 'invoices-api', client: 'accounting' }))).status, 200);
});

test('a daemon without it gets 403, and no token 401', async () => {
  assert.equal((await call(await kit.token({ api: 'invoices-api', client: 'stranger' }))).status, 403);
  assert.equal((await call()).status, 401);
});

test('an expired token gets 401', async () => {
  assert.equal((await call(await kit.token({ api: 'invoices-api', client: 'accounting', lifetimeSeconds: -3600 }))).status, 401);
});
`;

const INDEX = `import { app } from '@azure/functions';

app.setup({
  enableHttpStream: true,
});
`;

const HOST_JSON = {
  version: '2.0',
  logging: { applicationInsights: { samplingSettings: { isEnabled: true, excludedTypes: 'Request' } } },
  extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
};

export type ModuleKind = 'commonjs' | 'esm';

export interface ScratchApp {
  readonly root: string;
  readonly kind: ModuleKind;
}

/** What `npm pack` made of the two packages. */
export interface Tarballs {
  readonly auth: string;
  readonly dev: string;
}

/**
 * Writes the app's files: the auth package as a dependency, the dev package as a dev
 * dependency, the app's registrations for the stand-in (local.entra.json) and its own test.
 */
export function scaffold(root: string, kind: ModuleKind, tarballs: Tarballs, registrations: object, versions: { functions: string; typescript: string; typesNode: string }): ScratchApp {
  mkdirSync(path.join(root, 'src', 'functions'), { recursive: true });
  mkdirSync(path.join(root, 'test'), { recursive: true });
  const pkg = {
    name: `invoices-${kind}`,
    version: '1.0.0',
    description: '',
    ...(kind === 'esm' && { type: 'module' }),
    main: 'dist/src/{index.js,functions/*.js}',
    scripts: { build: 'tsc', watch: 'tsc -w', prestart: 'npm run build', start: 'func start', test: 'node --test dist/test/invoices.test.js' },
    dependencies: { '@azure/functions': versions.functions, 'azure-functions-entra-auth': `file:${tarballs.auth}` },
    devDependencies: { '@types/node': versions.typesNode, 'azure-functions-entra-dev': `file:${tarballs.dev}`, typescript: versions.typescript },
  };
  // func init's tsconfig, with strict on; the ES-module app uses Node's own module resolution.
  const compilerOptions =
    kind === 'commonjs'
      ? { module: 'commonjs', target: 'es6', outDir: 'dist', rootDir: '.', sourceMap: true, strict: true }
      : { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', outDir: 'dist', rootDir: '.', sourceMap: true, strict: true };
  writeFileSync(path.join(root, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(path.join(root, 'tsconfig.json'), `${JSON.stringify({ compilerOptions }, null, 2)}\n`);
  writeFileSync(path.join(root, 'host.json'), `${JSON.stringify(HOST_JSON, null, 2)}\n`);
  writeFileSync(path.join(root, '.funcignore'), '*.js.map\n*.ts\n.git*\n.vscode\nlocal.settings.json\ntest\ntsconfig.json\n');
  writeFileSync(path.join(root, 'src', 'index.ts'), INDEX);
  writeFileSync(path.join(root, 'src', 'functions', 'invoices.ts'), INVOICES_FUNCTION);
  writeFileSync(path.join(root, 'test', 'invoices.test.ts'), INVOICES_TEST);
  writeFileSync(path.join(root, 'local.entra.json'), `${JSON.stringify(registrations, null, 2)}\n`);
  return { root, kind };
}

/** `npm install` from the npm cache (what `npm ci` of this repository filled), falling back to the registry. */
export function install(app: ScratchApp): void {
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app.root, stdio: 'pipe', timeout: 120_000 });
}

/** A second app of the same dependencies shares the first one's install. */
export function shareInstall(from: ScratchApp, to: ScratchApp): void {
  symlinkSync(path.join(from.root, 'node_modules'), path.join(to.root, 'node_modules'), 'dir');
}

/** `npm run build` (tsc) in the app; throws with the compiler's output on an error. */
export function build(app: ScratchApp): void {
  try {
    execFileSync(process.execPath, [path.join(app.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', app.root], { cwd: app.root, stdio: 'pipe' });
  } catch (error) {
    const out = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`tsc failed in the ${app.kind} app:\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`, { cause: error });
  }
}

/** This repository's pinned versions, so the scratch apps install from the same cache. */
export function repositoryVersions(repoRoot: string): { functions: string; typescript: string; typesNode: string } {
  const lock = JSON.parse(readFileSync(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const version = (name: string) => lock.packages[`node_modules/${name}`]?.version ?? 'latest';
  return { functions: version('@azure/functions'), typescript: version('typescript'), typesNode: version('@types/node') };
}
