import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jsonSyntaxDetail } from './jsonSyntaxDetail';

/** local.settings.json (or a file of its shape) cannot be used; the message names the file by its absolute path. */
export class LocalSettingsError extends Error {
  readonly code = 'local_settings_invalid';

  constructor(
    readonly file: string,
    /** What is wrong, without the file name. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path.basename(file)} (${file}): ${detail}`, options);
    this.name = 'LocalSettingsError';
  }
}

/**
 * The environment the app would get under `func start`: the process environment,
 * filled in from local.settings.json `Values` (the environment wins, as with Core Tools).
 */
export function localEnvironment(appRoot: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return environmentWithSettingsFile(path.join(appRoot, 'local.settings.json'), env);
}

/**
 * Like localEnvironment, from any local.settings-shaped file; a missing file adds nothing.
 * A file that cannot be read or parsed throws LocalSettingsError naming it.
 */
export function environmentWithSettingsFile(file: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) return { ...env };
  let text: string;
  try {
    // Core Tools accepts a byte-order mark, which JSON.parse does not.
    text = readFileSync(absolute, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    throw new LocalSettingsError(absolute, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new LocalSettingsError(absolute, `not valid JSON: ${jsonSyntaxDetail(error, text)}`, { cause: error });
  }
  const settingValues = parsed !== null && typeof parsed === 'object' ? (parsed as { Values?: unknown }).Values : undefined;
  const values: Record<string, string> = {};
  if (settingValues !== null && typeof settingValues === 'object') {
    for (const [name, value] of Object.entries(settingValues)) {
      if (typeof value === 'string') values[name] = value;
    }
  }
  return { ...values, ...env };
}
