import type * as z from 'zod/mini';
import { SettingsError } from './settingsError';
import type { SettingsSource } from './settingsSource';


/**
 * Validates `source` against a schema whose keys are setting names, and turns the
 * first problem into a SettingsError naming the setting. Empty strings count as
 * unset, since local.settings.json and portal app settings often carry "".
 */
export function parseSettings<S extends z.ZodMiniType>(schema: S, source: SettingsSource, names: readonly string[]): z.output<S> {
  const input: Record<string, string> = {};
  for (const name of names) {
    const value = source[name]?.trim();
    if (value !== undefined && value !== '') input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const setting = issue?.path.length ? String(issue.path[0]) : names.join(', ');
  throw new SettingsError(setting, issue?.message ?? 'invalid value');
}

/** Deep-freezes plain objects and arrays so parsed settings cannot drift after startup. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
