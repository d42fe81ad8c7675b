import type { HttpHandler } from '@azure/functions';
import type { TokenCredential } from '@azure/identity';
import { createAppCredential } from '../azure/managedIdentityCredential';
import type { SigningSettings } from '../config/signingSettings';
import { DevelopmentKeySource } from './developmentKeySource';
import { createAssertionIssuer, type AssertionIssuer } from './identityAssertion';
import { createJwksHandler } from './jwksHandler';
import type { KeyVaultKeySourceOptions } from './keyVault/keyVaultKeySource';
import { consoleSigningEvents, type SigningEvents } from './signingEvents';
import type { SigningKeySource } from './signingKey';

/** What tests and the telemetry helper inject; every member has a production default. */
export interface SigningDependencies {
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly events?: SigningEvents;
  /** Replaces the managed identity / DefaultAzureCredential. */
  readonly credential?: TokenCredential;
  /** Tuning and SDK client options for the Key Vault source (tests: `clientOptions.tlsOptions`, short timeouts). */
  readonly keyVault?: Partial<Omit<KeyVaultKeySourceOptions, 'vaultUrl' | 'keyName' | 'credential' | 'now' | 'events' | 'assertionLifetimeSeconds'>>;
  /** Where the startup warning about the development signer goes. */
  readonly announce?: (line: string) => void;
}

export interface Signing {
  readonly keys: SigningKeySource;
  readonly assertions: AssertionIssuer;
  /** GET handler for the published key set. */
  readonly jwks: HttpHandler;
  /** Loads the keys at startup; rejects with SettingsError for a key that can never sign (see SigningKeySource.ready). */
  ready(): Promise<void>;
}

/** Verifiers and caches may keep the key set this long; a disabled version stops verifying within it plus the source's TTL. */
export const JWKS_MAX_AGE_SECONDS = 300;

/** Builds the signer the settings describe: Key Vault, or (local development only) an in-memory key, announced. */
export function createSigning(settings: SigningSettings, dependencies: SigningDependencies = {}): Signing {
  const now = dependencies.now ?? Date.now;
  const events = dependencies.events ?? consoleSigningEvents;
  const { signer } = settings;
  let keys: SigningKeySource;
  if (signer.kind === 'keyVault') {
    // Required here, not imported: @azure/keyvault-keys takes tens of ms to load (@azure/identity loads in createAppCredential),
    // and an app without a vault (local development) never needs it.
    /* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose, see above */
    const { KeyVaultKeySource } = require('./keyVault/keyVaultKeySource') as typeof import('./keyVault/keyVaultKeySource');
    /* eslint-enable @typescript-eslint/no-require-imports */
    keys = new KeyVaultKeySource({
      ...dependencies.keyVault,
      vaultUrl: signer.vaultUrl,
      keyName: signer.keyName,
      credential: dependencies.credential ?? createAppCredential({ runningInAzure: signer.runningInAzure, clientId: signer.managedIdentityClientId }),
      now,
      events,
      assertionLifetimeSeconds: settings.assertionLifetimeSeconds,
    });
  } else {
    keys = new DevelopmentKeySource();
    const announce = dependencies.announce ?? ((line: string) => { console.warn(line); });
    announce(
      `WARNING: SIGNING_KEY_VAULT_URL is not set, so identity assertions are signed with ${keys.description}, for local development only; set SIGNING_KEY_VAULT_URL and SIGNING_KEY_NAME to sign in Key Vault.`,
    );
  }
  return {
    keys,
    assertions: createAssertionIssuer({ issuer: settings.issuer, lifetimeSeconds: settings.assertionLifetimeSeconds, keys, now, events }),
    jwks: createJwksHandler(keys, { maxAgeSeconds: JWKS_MAX_AGE_SECONDS }),
    ready: () => keys.ready(),
  };
}
