import type { KeyObject } from 'node:crypto';

/** The JWS algorithms assertions are signed with: RS256 for RSA keys, ES256 for EC P-256 keys. */
export type AssertionAlgorithm = 'RS256' | 'ES256';

/** A public key as published in the key set (RFC 7517). */
export interface PublicJwk {
  readonly kty: 'RSA' | 'EC';
  readonly use: 'sig';
  readonly alg: AssertionAlgorithm;
  readonly kid: string;
  readonly n?: string;
  readonly e?: string;
  readonly crv?: 'P-256';
  readonly x?: string;
  readonly y?: string;
}

/** One key version that verifiers may see signatures from. */
export interface PublishedKey {
  /** The key version (Key Vault) or the development key's ID: the `kid` of assertions. */
  readonly kid: string;
  readonly alg: AssertionAlgorithm;
  readonly jwk: PublicJwk;
  readonly publicKey: KeyObject;
}

/** The key version that signs new assertions. */
export interface ActiveSigningKey extends PublishedKey {
  /** The JWS signature over `signingInput` (`header.payload`), in JWS form (raw r||s for ES256). */
  sign(signingInput: Buffer): Promise<Buffer>;
}

/** Where assertion-signing keys come from: a Key Vault key, or an in-memory development key. */
export interface SigningKeySource {
  /** For the startup log line, e.g. `Key Vault key assertions in https://contoso.vault.azure.net`. */
  readonly description: string;
  /** Every key version verifiers should accept, newest first. Throws SigningUnavailableError. */
  publishedKeys(): Promise<readonly PublishedKey[]>;
  /** The version new assertions are signed with. Throws SigningUnavailableError. */
  signingKey(): Promise<ActiveSigningKey>;
  /**
   * Loads the keys once, at startup. Rejects only for a configuration that cannot
   * work (no such key, a key type that cannot sign assertions); an unreachable vault
   * is reported and retried later, so token validation and the rest start anyway.
   */
  ready(): Promise<void>;
  /** Whether signing keys are loaded right now (for health reports; never loads). */
  isLoaded(): boolean;
  /**
   * Reloads the key versions now (rate-limited; joins a reload in flight), e.g. on
   * Key Vault's KeyNewVersionCreated event, instead of waiting for the cache to expire.
   */
  refresh(): Promise<void>;
}
