import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadAuthSettings, type AuthSettings } from '../../lib/config/authSettings';
import { loadSigningSettings } from '../../lib/config/signingSettings';
import { loadTelemetrySettings } from '../../lib/config/telemetrySettings';
import { environmentWithSettingsFile } from '../host/localSettings';
import { CliUsageError } from './cliOptions';

export interface InspectSettings {
  readonly settings: AuthSettings;
  /** The merged environment the settings were parsed from (the app's process.env under func start). */
  readonly environment: NodeJS.ProcessEnv;
  /** Where they came from, for the report: "environment" or "environment + <file>". */
  readonly origin: string;
  /**
   * The CA file the settings file names in NODE_EXTRA_CA_CERTS (resolved against its
   * folder), if it exists: the local stand-in's CA, which `npm start` makes the app trust.
   */
  readonly localCaFile: string | undefined;
}

/**
 * The settings exactly as the app reads them: the environment, filled in from the
 * `Values` of local.settings.json (or `--settings <file>`), the environment winning as
 * under Core Tools, parsed by the app's own loaders. A bad setting throws the app's
 * SettingsError naming it; an unusable file throws CliUsageError. Both exit 2.
 */
export function loadInspectSettings(options: { appRoot: string; cwd: string; settingsFile: string | undefined; env: NodeJS.ProcessEnv }): InspectSettings {
  const file = options.settingsFile === undefined ? path.join(options.appRoot, 'local.settings.json') : path.resolve(options.cwd, options.settingsFile);
  if (options.settingsFile !== undefined && !existsSync(file)) throw new CliUsageError(`--settings ${file}: no such file`);
  let environment: NodeJS.ProcessEnv;
  try {
    environment = environmentWithSettingsFile(file, options.env);
  } catch (error) {
    // Never the parser's message: it quotes the file, which may hold connection strings.
    const why = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new CliUsageError(`${file} ${why}`);
  }
  // Every loader the app runs at startup, in its order (appRuntime: telemetry, then
  // createAppRuntime: auth, signing): a setting that would stop the app stops this too.
  loadTelemetrySettings(environment);
  const settings = loadAuthSettings(environment);
  loadSigningSettings(environment);
  const named = existsSync(file) ? environmentWithSettingsFile(file, {}).NODE_EXTRA_CA_CERTS : undefined;
  const localCaFile = named ? path.resolve(path.dirname(file), named) : undefined;
  return {
    settings,
    environment,
    origin: existsSync(file) ? `environment + ${file}` : 'environment',
    localCaFile: localCaFile !== undefined && existsSync(localCaFile) ? localCaFile : undefined,
  };
}
