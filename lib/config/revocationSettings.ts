import * as z from 'zod/mini';
import { deepFreeze, parseSettings, SettingsError, type SettingsSource } from 'azure-functions-entra-auth/settings';

/** How this instance keeps the deny rules (the table sits in the orders' storage account, reached the same way). */
export interface RevocationSettings {
  readonly tableName: string;
  /** Seconds between two reads of the rules' version row: a new rule applies within this plus one read. */
  readonly refreshIntervalSeconds: number;
  /** How long the last rules read keep applying while the table cannot be read; then 503 (or fail open). */
  readonly maxStalenessSeconds: number;
  /** Let verified tokens through when no rules younger than the bound are known. An explicit operator choice. */
  readonly failOpen: boolean;
}

export const DEFAULT_REVOCATION_TABLE = 'revocations';

const PREFIX = 'REVOCATION_';

const seconds = (min: number, max: number, fallback: number) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\d{1,5}$/, { error: `must be a whole number of seconds, ${min}-${max}` })),
      z.transform(Number),
    ).check(z.refine((value: number) => value >= min && value <= max, { error: `must be a whole number of seconds, ${min}-${max}` })),
    fallback,
  );

const schema = z
  .object({
    REVOCATION_TABLE_NAME: z._default(
      z.string().check(
        z.regex(/^[A-Za-z][A-Za-z0-9]{2,62}$/, { error: 'must be a table name: 3-63 letters and digits, starting with a letter' }),
        z.refine((name: string) => name.toLowerCase() !== 'tables', { error: 'must not be the reserved name "tables"' }),
      ),
      DEFAULT_REVOCATION_TABLE,
    ),
    // At most 8 s: a rule must apply on every instance within 10 s of its write.
    REVOCATION_REFRESH_SECONDS: seconds(1, 8, 5),
    REVOCATION_MAX_STALENESS_SECONDS: seconds(10, 3600, 300),
    REVOCATION_FAIL_OPEN: z._default(
      z.pipe(z.enum(['true', 'false'], { error: 'must be true or false (false: refuse with 503 once the rules are older than REVOCATION_MAX_STALENESS_SECONDS)' }), z.transform((value) => value === 'true')),
      false,
    ),
  })
  .check(
    z.superRefine((s, ctx) => {
      if (s.REVOCATION_MAX_STALENESS_SECONDS < s.REVOCATION_REFRESH_SECONDS) {
        ctx.addIssue({ code: 'custom', path: ['REVOCATION_MAX_STALENESS_SECONDS'], message: 'must be at least REVOCATION_REFRESH_SECONDS' });
      }
    }),
  );

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));
const REVOCATION_SETTING_NAMES = SETTING_NAMES;

/**
 * Parses the REVOCATION_* settings once, at startup. Any other REVOCATION_* name is
 * refused, not ignored: a misspelt REVOCATION_FAIL_OPEN or staleness bound would silently
 * change how the API behaves in an outage.
 */
export function loadRevocationSettings(source: SettingsSource, tableNameInUse?: string): RevocationSettings {
  for (const name of Object.keys(source)) {
    if (name.toUpperCase().startsWith(PREFIX) && !REVOCATION_SETTING_NAMES.includes(name)) {
      throw new SettingsError(name, `not a setting of this app, which reads ${REVOCATION_SETTING_NAMES.join(', ')}`);
    }
  }
  const s = parseSettings(schema, source, REVOCATION_SETTING_NAMES);
  if (tableNameInUse !== undefined && s.REVOCATION_TABLE_NAME.toLowerCase() === tableNameInUse.toLowerCase()) {
    throw new SettingsError('REVOCATION_TABLE_NAME', 'must not be the orders table (ORDERS_TABLE_NAME): the rules have a table of their own');
  }
  return deepFreeze<RevocationSettings>({
    tableName: s.REVOCATION_TABLE_NAME,
    refreshIntervalSeconds: s.REVOCATION_REFRESH_SECONDS,
    maxStalenessSeconds: s.REVOCATION_MAX_STALENESS_SECONDS,
    failOpen: s.REVOCATION_FAIL_OPEN,
  });
}
