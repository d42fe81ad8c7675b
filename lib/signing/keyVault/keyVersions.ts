import type { KeyProperties } from '@azure/keyvault-keys';

/** A version's dates, in milliseconds since the epoch. */
export interface VersionTimes {
  /** From when verifiers can have seen it: the later of its creation and its notBefore. */
  readonly activeFrom: number;
  readonly expiresAt: number | undefined;
}

export interface UsableVersion extends VersionTimes {
  readonly version: string;
  readonly properties: KeyProperties;
}

/**
 * The versions that may be published and used: enabled, already active (notBefore
 * passed) and not expired, newest first. Key Vault lists versions in no set order.
 */
export function usableVersions(listed: readonly KeyProperties[], now: number): UsableVersion[] {
  const usable: UsableVersion[] = [];
  for (const properties of listed) {
    const { version, enabled, notBefore, expiresOn, createdOn } = properties;
    if (version === undefined || enabled !== true) continue;
    if (notBefore !== undefined && notBefore.getTime() > now) continue;
    if (expiresOn !== undefined && expiresOn.getTime() <= now) continue;
    usable.push({
      version,
      properties,
      activeFrom: Math.max(createdOn?.getTime() ?? 0, notBefore?.getTime() ?? 0),
      expiresAt: expiresOn?.getTime(),
    });
  }
  // Newest first; the version string breaks ties so every instance picks the same one.
  return usable.sort((a, b) => b.activeFrom - a.activeFrom || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
}

export interface SigningChoice {
  /**
   * A version becomes the signing one only this long after it became active, so that
   * every instance (and every verifier refreshing on an unknown kid) has it in its
   * key set first: a rotation never produces an assertion nobody can verify yet.
   */
  readonly activationDelayMs: number;
  /** A version expiring sooner than this (an assertion's lifetime) signs nothing more. */
  readonly minRemainingMs: number;
}

/**
 * The version to sign with, among published ones (newest first): the newest that
 * has been published long enough; or, when none has (a key created moments ago),
 * the oldest, the one most likely known everywhere already.
 */
export function chooseSigningVersion<K extends VersionTimes>(published: readonly K[], now: number, choice: SigningChoice): K | undefined {
  const lasting = published.filter((key) => key.expiresAt === undefined || key.expiresAt - now >= choice.minRemainingMs);
  return lasting.find((key) => now - key.activeFrom >= choice.activationDelayMs) ?? lasting.at(-1);
}
