import { existsSync } from 'node:fs';
import path from 'node:path';
import { resolveAuthSettings, type AuthSettings } from 'azure-functions-entra-auth';
import { readHostEnvironment } from 'azure-functions-entra-auth/settings';
import { environmentWithSettingsFile, LocalSettingsError } from '../host/localSettings';
import { looksLikeToken } from './argumentScrub';
import { CliUsageError } from './cliOptions';
import type { InstanceTrust } from './keyFetch';

export interface InspectSettings {
  readonly settings: AuthSettings;
  /** The merged environment the settings were parsed from (the app's process.env under func start). */
  readonly environment: NodeJS.ProcessEnv;
  /** Where they came from, for the report: "environment" or "environment + <file>". */
  readonly origin: string;
  /** What the app would trust for AUTH_INSTANCE beyond Node's own store (see keyFetch.ts). */
  readonly trust: InstanceTrust;
}

/**
 * The app's environment as Core Tools builds it (the environment, filled in from the
 * `Values` of local.settings.json or `--settings <file>`, the environment winning), and
 * the AUTH_* settings in it parsed by the auth package, as createEntraAuth parses them
 * when the app passes process.env. Only the auth package's settings are read: the app's
 * own are the app's business (it checks them when the inspector loads it). A bad AUTH_*
 * setting throws SettingsError naming it; an unusable file throws CliUsageError. Both exit 2.
 */
export function loadInspectSettings(options: { appRoot: string; cwd: string; settingsFile: string | undefined; env: NodeJS.ProcessEnv }): InspectSettings {
  const file = options.settingsFile === undefined ? path.join(options.appRoot, 'local.settings.json') : path.resolve(options.cwd, options.settingsFile);
  // A token passed to --settings by mistake (a missing `-`) is named as such, never echoed.
  const shown = options.settingsFile !== undefined && looksLikeToken(options.settingsFile) ? 'a value that looks like a token, not a file name (not shown)' : file;
  if (options.settingsFile !== undefined && !existsSync(file)) throw new CliUsageError(`--settings ${shown}: no such file`);
  let environment: NodeJS.ProcessEnv;
  try {
    environment = environmentWithSettingsFile(file, options.env);
  } catch (error) {
    // Its message names the file and where the JSON breaks, never the file's content (it may hold connection strings).
    if (error instanceof LocalSettingsError) throw new CliUsageError(shown === file ? error.message : `${shown}: ${error.detail}`);
    throw error;
  }
  const appDir = path.dirname(file);
  const host = readHostEnvironment(environment);
  const { settings, instanceCaPem: caPem } = resolveAuthSettings({}, environment, { baseDir: appDir, host });
  // The settings file's NODE_EXTRA_CA_CERTS reaches the app process only where the environment sets none.
  const named = options.env.NODE_EXTRA_CA_CERTS === undefined ? environment.NODE_EXTRA_CA_CERTS : undefined;
  const localCaFile = named ? path.resolve(appDir, named) : undefined;
  return {
    settings,
    environment,
    origin: existsSync(file) ? `environment + ${file}` : 'environment',
    trust: { caPem, localCaFile: localCaFile !== undefined && existsSync(localCaFile) ? localCaFile : undefined },
  };
}
