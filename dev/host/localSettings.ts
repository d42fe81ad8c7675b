import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The environment the app would get under `func start`: the process environment,
 * filled in from local.settings.json `Values` (the environment wins, as with Core Tools).
 */
export function localEnvironment(appRoot: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return environmentWithSettingsFile(path.join(appRoot, 'local.settings.json'), env);
}

/** Like localEnvironment, from any local.settings-shaped file; a missing file adds nothing. Throws on unreadable JSON. */
export function environmentWithSettingsFile(file: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!existsSync(file)) return { ...env };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> } | null;
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed?.Values ?? {})) {
    if (typeof value === 'string') values[name] = value;
  }
  return { ...values, ...env };
}
