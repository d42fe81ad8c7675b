import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';

export interface BuildPackageOptions {
  /** The repository root: sources and node_modules. */
  readonly root: string;
  /** The package folder; the bundle goes to its dist/. */
  readonly out: string;
}

export interface PackageContributor {
  /** An npm package name, or "app" for this repository's own code. */
  readonly name: string;
  /** Bytes of the bundle that came from it (minified). */
  readonly bytes: number;
}

export interface BundleFile {
  /** Relative to the package folder. */
  readonly file: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
  /** Largest first. */
  readonly contributors: readonly PackageContributor[];
}

export interface PackageReport {
  /** dist/main.js first (what the worker loads at start), then the lazily loaded vendor bundles. */
  readonly bundles: readonly BundleFile[];
}

/** Packages the bundle must not contain. */
const EXTERNAL = [
  // Provided by the Azure Functions Node.js worker at run time (the dev host provides a stand-in).
  '@azure/functions-core',
];

/**
 * Heavy packages the app requires lazily, each in a bundle of its own under
 * dist/vendor/: V8 compiles a whole script when it is loaded, so keeping them out of
 * dist/main.js keeps that compile off every cold start. They load when first used:
 * the SDK after the first responses (DeferredSink), Key Vault and identity only when a
 * vault, Entra-authenticated ingestion or the orders store's identity form is configured,
 * the Table Storage client at the first orders call.
 */
const LAZY_VENDOR: Readonly<Record<string, string>> = {
  applicationinsights: 'applicationinsights',
  '@azure/identity': 'identity',
  '@azure/keyvault-keys': 'keyvault-keys',
  '@azure/data-tables': 'data-tables',
};

/** Packages replaced by a module of ours: see each target for why. */
const ALIAS = {
  '@azure/monitor-opentelemetry': './lib/telemetry/globalProvidersUnavailable.ts',
};

/**
 * Bundles the app from its entry module (functions/index.ts) with its production
 * dependencies into CommonJS for Node 20+: dist/main.js, and the heavy, lazily required
 * packages in dist/vendor/ (see LAZY_VENDOR). Minified with names kept (stack traces
 * and error names stay readable), each with a linked source map whose paths are
 * relative to the repository.
 */
export async function buildPackage(options: BuildPackageOptions): Promise<PackageReport> {
  const outdir = path.join(options.out, 'dist');
  const vendorEntries = Object.fromEntries(
    Object.entries(LAZY_VENDOR).map(([name, file]) => [`vendor/${file}`, require.resolve(name, { paths: [options.root] })]),
  );
  const result = await build({
    absWorkingDir: options.root,
    entryPoints: { main: 'functions/index.ts', ...vendorEntries },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    external: EXTERNAL,
    alias: ALIAS,
    plugins: [workspaceSources(options.root), lazyVendor(options.root)],
    metafile: true,
    logLevel: 'silent',
  });
  if (result.warnings.length > 0) {
    throw new Error(`esbuild warnings:\n${result.warnings.map((warning) => `${warning.location?.file ?? ''}: ${warning.text}`).join('\n')}`);
  }
  const bundles = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, output]): BundleFile => {
      const absolute = path.resolve(options.root, file);
      relativizeSourceMap(`${absolute}.map`, options.root, options.out);
      return {
        file: path.relative(options.out, absolute).split(path.sep).join('/'),
        bytes: output.bytes,
        sourceMapBytes: readFileSync(`${absolute}.map`).length,
        contributors: contributors(output.inputs),
      };
    })
    .sort((a, b) => (a.file === 'dist/main.js' ? -1 : b.file === 'dist/main.js' ? 1 : b.bytes - a.bytes));
  return { bundles };
}

/**
 * The workspace's own packages (azure-functions-entra-auth), bundled from their TypeScript
 * sources rather than their CommonJS build: esbuild tree-shakes ES modules only, and the
 * package's compiled `require('zod/mini')` would bring all of zod (0.58 MB against 0.04 MB).
 * Each entry point of the package's `exports` maps to the source file its build came from.
 */
function workspaceSources(root: string): Plugin {
  const packageDir = path.join(root, 'packages', 'azure-functions-entra-auth');
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { name: string; exports: Record<string, { default?: string } | string> };
  const sources = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const built = typeof target === 'string' ? target : target.default;
    if (built === undefined || !built.endsWith('.js')) continue;
    sources.set(subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, path.join(packageDir, built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts')));
  }
  return {
    name: 'workspace-sources',
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^${manifest.name}(/|$)`) }, (args) => {
        const source = sources.get(args.path);
        if (source === undefined) throw new Error(`${args.path} is not an entry point of ${manifest.name} (see its package.json exports)`);
        return { path: source };
      });
    },
  };
}

/** Resolves a lazy vendor package to its bundle, relative to the bundle that requires it. */
function lazyVendor(root: string): Plugin {
  const names = Object.keys(LAZY_VENDOR).map((name) => name.replace(/[/]/g, '\\/'));
  const nodeModules = path.join(root, 'node_modules') + path.sep;
  return {
    name: 'lazy-vendor',
    setup(plugin) {
      plugin.onResolve({ filter: new RegExp(`^(${names.join('|')})$`) }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const file = LAZY_VENDOR[args.path] as string;
        // Vendor bundles sit side by side in dist/vendor/; the app's own code is in dist/main.js.
        const fromVendor = args.importer.startsWith(nodeModules);
        return { path: fromVendor ? `./${file}.js` : `./vendor/${file}.js`, external: true };
      });
    },
  };
}

/**
 * Source paths as seen from the repository (lib/app/startApp.ts, node_modules/zod/...),
 * wherever the package was built, with a sourceRoot that resolves them against the
 * package folder: a stack trace then names <package>/lib/app/startApp.ts:LINE.
 */
function relativizeSourceMap(file: string, root: string, out: string): void {
  const map = JSON.parse(readFileSync(file, 'utf8')) as { sources: string[]; sourceRoot?: string };
  map.sources = map.sources.map((source) =>
    // Sources that are URLs (webpack:/... from a dependency's own map) are kept as they are.
    /^[a-z][a-z0-9+.-]*:/i.test(source) ? source : path.relative(root, path.resolve(path.dirname(file), source)).split(path.sep).join('/'),
  );
  map.sourceRoot = `${path.relative(path.dirname(file), out).split(path.sep).join('/')}/`;
  writeFileSync(file, JSON.stringify(map));
}

function contributors(inputs: Metafile['outputs'][string]['inputs']): PackageContributor[] {
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'app';
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
  }
  return [...bytes].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes);
}
