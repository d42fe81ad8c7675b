import { homedir } from 'node:os';
import { join } from 'node:path';
import { findAppRoot } from 'azure-functions-entra-dev/toolkit';

/** The Bicep CLI release restored from NuGet when none is installed. */
export const BICEP_CLI_VERSION = '0.49.2';

/** The Graph extension version the committed bicepconfig.json names, and the local type index it is built from. */
export const GRAPH_EXTENSION_REGISTRY = 'br:mcr.microsoft.com/bicep/extensions/microsoftgraph/v1.0';
export const GRAPH_EXTENSION_VERSION = '1.0.0';

export interface InfraPaths {
  readonly root: string;
  /** The Bicep sources: infra/ of the repository. */
  readonly infraDir: string;
  /** What `npm run infra:build` writes (git-ignored): compiled ARM JSON and result.json. */
  readonly outDir: string;
  /** Outside the repository, never committed: the restored CLI and the built Graph extension. */
  readonly cacheDir: string;
  /** The published Graph type index (../shared/reference beside the clone). */
  readonly graphTypesDir: string;
}

export function infraPaths(env: NodeJS.ProcessEnv = process.env, root: string = findAppRoot(__dirname)): InfraPaths {
  const cacheHome = env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache');
  return {
    root,
    infraDir: join(root, 'infra'),
    outDir: join(root, 'dist-infra'),
    cacheDir: join(cacheHome, 'entra-protected-functions', 'bicep'),
    graphTypesDir: join(root, '..', 'shared', 'reference', 'bicep-types', `microsoftgraph-v1.0-${GRAPH_EXTENSION_VERSION}`),
  };
}

/** The files `npm run infra:build` leaves in outDir. */
export const OUTPUT_FILES = { template: 'main.json', parameters: 'main.parameters.json', result: 'result.json' } as const;
