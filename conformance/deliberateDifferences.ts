/**
 * Tokens our verifier refuses on purpose although Microsoft.IdentityModel (as a
 * Microsoft.Identity.Web web API configures it) accepts them. The conformance check
 * explains a "we refuse, it accepts" outcome only by an entry here: our refusal named
 * one of `ourChecks`, and the token carries one of `tags` (`family:name` of the
 * generator's variants, `*` as a wildcard) or the configuration is one of `configurations`.
 * The other direction (we accept, it refuses) is never explained: it fails the run.
 */
export interface DeliberateDifference {
  readonly rule: string;
  /** Our refusal's `check` (lib/errors/checkNames.ts). */
  readonly ourChecks: readonly string[];
  /** Generator variants (`family:name`, `*` wildcard) this rule is about. */
  readonly tags?: readonly string[];
  /** Configurations this rule is about (conformance/corpus.ts CONFIGURATIONS). */
  readonly configurations?: readonly string[];
  readonly reason: string;
  /** The standard, guidance or attack behind it. */
  readonly basis: string;
}

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [];
