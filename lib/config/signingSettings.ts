import * as z from 'zod/mini';
import {
  deepFreeze,
  guid,
  httpsUrl,
  parseSettings,
  readHostEnvironment,
  SettingsError,
  typeMismatch,
  type HostEnvironment,
  type SettingsSource,
} from 'azure-functions-entra-auth/settings';

/** Who signs identity assertions. */
export type SignerSettings =
  /** A Key Vault key: the private key never leaves the vault. */
  | {
      readonly kind: 'keyVault';
      /** The vault's origin, e.g. https://contoso-signing.vault.azure.net. */
      readonly vaultUrl: string;
      readonly keyName: string;
      /** A user-assigned managed identity's client ID (AZURE_CLIENT_ID); undefined for the system-assigned one. */
      readonly managedIdentityClientId: string | undefined;
      /** On App Service / Functions, where the managed identity is the credential to use. */
      readonly runningInAzure: boolean;
    }
  /** Local development only: a key generated in memory at startup. */
  | { readonly kind: 'development' };

/** A backend that receives signed identity assertions. */
export interface BackendSettings {
  /** The URL called (POST). */
  readonly url: string;
  /** The `aud` of the assertions sent to it. */
  readonly audience: string;
}

export interface SigningSettings {
  readonly signer: SignerSettings;
  /** The `iss` of every assertion: this app's own URL, no trailing slash. */
  readonly issuer: string;
  readonly assertionLifetimeSeconds: number;
  /** The Orders sample's fulfilment backend; undefined when FULFILMENT_URL is unset. */
  readonly fulfilment: BackendSettings | undefined;
}

/** What `func start` (Core Tools) serves on; the issuer of development assertions when SIGNING_ISSUER is unset. */
export const DEVELOPMENT_ISSUER = 'http://localhost:7071';

/** RFC 7519 allows any lifetime; backends are promised at most five minutes. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;

const schema = z
  .object({
    SIGNING_KEY_VAULT_URL: z.optional(httpsUrl('https://contoso-signing.vault.azure.net', { bareOrigin: true })),
    SIGNING_KEY_NAME: z.optional(z.string().check(z.regex(/^[0-9A-Za-z-]{1,127}$/, { error: 'must be a Key Vault key name (1-127 letters, digits and dashes)' }))),
    SIGNING_ISSUER: z.optional(httpsUrl('https://orders-api.azurewebsites.net')),
    SIGNING_ASSERTION_LIFETIME_SECONDS: z._default(
      z.pipe(
        z.pipe(z.string().check(z.regex(/^\d+$/, { error: 'must be a whole number of seconds' })), z.transform(Number)),
        // A run of digits too long for a number reads as Infinity, which z.number() refuses.
        z.number({ error: typeMismatch }).check(
          z.minimum(10, { error: 'must be at least 10 seconds' }),
          z.maximum(MAX_ASSERTION_LIFETIME_SECONDS, { error: `must be at most ${MAX_ASSERTION_LIFETIME_SECONDS} seconds (5 minutes)` }),
        ),
      ),
      120,
    ),
    AZURE_CLIENT_ID: z.optional(guid('the client ID of the managed identity that may sign with the key')),
    FULFILMENT_URL: z.optional(httpsUrl('https://fulfilment.contoso.com/api/fulfil')),
    FULFILMENT_AUDIENCE: z.optional(
      z.string().check(z.regex(/^[^\s]{1,256}$/, { error: 'must be the identifier the fulfilment backend expects as aud, without spaces' })),
    ),
  })
  .check(z.superRefine((s, ctx) => {
    const issue = (path: string, message: string) => {
      ctx.addIssue({ code: 'custom', path: [path], message });
    };
    if (s.SIGNING_KEY_VAULT_URL === undefined) {
      if (s.SIGNING_KEY_NAME !== undefined) {
        issue('SIGNING_KEY_VAULT_URL', 'is required when SIGNING_KEY_NAME is set: name the vault that holds the key, e.g. https://contoso-signing.vault.azure.net');
      }
      return;
    }
    if (s.SIGNING_KEY_NAME === undefined) issue('SIGNING_KEY_NAME', 'is required when SIGNING_KEY_VAULT_URL is set: the name of the signing key in that vault');
    if (s.SIGNING_ISSUER === undefined) issue('SIGNING_ISSUER', "is required when SIGNING_KEY_VAULT_URL is set: this app's own https URL, the iss of its assertions");
  }))
  .check(z.superRefine((s, ctx) => {
    if (s.FULFILMENT_AUDIENCE !== undefined && s.FULFILMENT_URL === undefined) {
      ctx.addIssue({ code: 'custom', path: ['FULFILMENT_AUDIENCE'], message: 'applies only with FULFILMENT_URL' });
    }
  }));

/** Every setting this module reads, for checks that the deployment sets real names. */
export const SETTING_NAMES: readonly string[] = Object.freeze(Object.keys(schema.shape));
const NAMES = SETTING_NAMES;

/**
 * Parses the SIGNING_* and FULFILMENT_* settings once, at startup. Throws SettingsError
 * naming the bad setting. `host` is the composition root's; read from `source` when omitted.
 */
export function loadSigningSettings(source: SettingsSource, host: HostEnvironment = readHostEnvironment(source)): SigningSettings {
  const s = parseSettings(schema, source, NAMES);
  if (s.SIGNING_KEY_VAULT_URL === undefined && host.runningInAzure) {
    throw new SettingsError(
      'SIGNING_KEY_VAULT_URL',
      `is required when running in Azure (${host.azureMarker} is set): the development signer keeps an in-memory key per instance and must not sign in a deployed app; set SIGNING_KEY_VAULT_URL and SIGNING_KEY_NAME`,
    );
  }
  const signer: SignerSettings =
    s.SIGNING_KEY_VAULT_URL === undefined
      ? { kind: 'development' }
      : {
          kind: 'keyVault',
          vaultUrl: s.SIGNING_KEY_VAULT_URL,
          // Both are present: the schema refuses a vault URL without them.
          keyName: s.SIGNING_KEY_NAME ?? '',
          managedIdentityClientId: s.AZURE_CLIENT_ID,
          runningInAzure: host.runningInAzure,
        };
  return deepFreeze<SigningSettings>({
    signer,
    issuer: s.SIGNING_ISSUER ?? DEVELOPMENT_ISSUER,
    assertionLifetimeSeconds: s.SIGNING_ASSERTION_LIFETIME_SECONDS,
    fulfilment:
      s.FULFILMENT_URL === undefined ? undefined : { url: s.FULFILMENT_URL, audience: s.FULFILMENT_AUDIENCE ?? new URL(s.FULFILMENT_URL).origin },
  });
}
