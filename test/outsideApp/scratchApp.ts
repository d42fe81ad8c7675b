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

/** Writes the app's files; `tarball` is what `npm pack` made of the auth package. */
export function scaffold(root: string, kind: ModuleKind, tarball: string, versions: { functions: string; typescript: string; typesNode: string }): ScratchApp {
  mkdirSync(path.join(root, 'src', 'functions'), { recursive: true });
  const pkg = {
    name: `invoices-${kind}`,
    version: '1.0.0',
    description: '',
    ...(kind === 'esm' && { type: 'module' }),
    main: 'dist/src/{index.js,functions/*.js}',
    scripts: { build: 'tsc', watch: 'tsc -w', prestart: 'npm run build', start: 'func start', test: 'echo "No tests yet..."' },
    dependencies: { '@azure/functions': versions.functions, 'azure-functions-entra-auth': `file:${tarball}` },
    devDependencies: { '@types/node': versions.typesNode, typescript: versions.typescript },
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
