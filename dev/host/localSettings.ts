import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The environment the app would get under `func start`: the process environment,
 * filled in from local.settings.json `Values` (the environment wins, as with Core Tools).
 */
export function localEnvironment(appRoot: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = path.join(appRoot, 'local.settings.json');
  if (!existsSync(file)) return { ...env };
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Record<string, unknown> };
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.Values ?? {})) {
    if (typeof value === 'string') values[name] = value;
  }
  return { ...values, ...env };
}
