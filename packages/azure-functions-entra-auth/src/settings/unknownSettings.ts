import { SettingsError } from './settingsError';
import type { SettingsSource } from './settingsSource';

/**
 * Refuses a name under the package's prefix that the package does not read.
 *
 * Refused, not warned: every optional AUTH_* setting that narrows access
 * (AUTH_ALLOWED_CLIENT_APPS, AUTH_ALLOWED_TENANTS, AUTH_TOKEN_VERSIONS) fails open
 * when its name is misspelt, and a warning in a startup log is read by nobody. Neither
 * the Functions host nor Core Tools sets an AUTH_* variable (their names are
 * AzureWebJobs*, FUNCTIONS_*, WEBSITE_*, including Easy Auth's WEBSITE_AUTH_*), so the
 * prefix is ours; an app with AUTH_* variables of its own names them in `ignore`.
 * The prefix is matched in any case: `auth_client_id` is never read either.
 */
export function refuseUnknownSettings(source: SettingsSource, prefix: string, known: readonly string[], ignore: readonly string[] = []): void {
  const lowerPrefix = prefix.toLowerCase();
  for (const name of Object.keys(source)) {
    if (!name.toLowerCase().startsWith(lowerPrefix) || known.includes(name) || ignore.includes(name)) continue;
    const closest = closestName(name, known);
    throw new SettingsError(
      name,
      closest === undefined
        ? `not a setting of azure-functions-entra-auth, which reads ${known.join(', ')}; if the app reads it itself, name it in the ignoreSettings option`
        : `not a setting of azure-functions-entra-auth; did you mean ${closest}?`,
    );
  }
}

/** Beyond 3 edits a suggestion is more likely wrong than helpful. */
const MAX_SUGGESTION_DISTANCE = 3;

/** The known name fewest edits away (letter case ignored), if close enough; the first on a tie. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const candidate of known) {
    const distance = editDistance(name.toUpperCase(), candidate.toUpperCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  // Three rows of the distance table: i - 2, i - 1 and i (cells never read before written).
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(cell(previous, j) + 1, cell(current, j - 1) + 1, cell(previous, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, cell(before, j - 2) + 1);
      current.push(distance);
    }
    [before, previous] = [previous, current];
  }
  return cell(previous, b.length);
}

function cell(row: readonly number[], j: number): number {
  return row[j] ?? 0;
}
