import { X509Certificate, createHash, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { createSelfSignedRsaCertificate } from '../tls/selfSignedCertificate';

/** One token-signing key, shaped like Entra's: an RSA key inside a self-signed certificate, kid = x5t. */
export interface StandinSigningKey {
  readonly kid: string;
  /** base64url SHA-1 thumbprint of the certificate (Entra uses it as the kid too). */
  readonly x5t: string;
  /** The certificate, base64 DER, as published in `x5c`. */
  readonly x5c: string;
  readonly createdAt: string;
  readonly privateKey: KeyObject;
  /** Public modulus and exponent, base64url. */
  readonly n: string;
  readonly e: string;
}

/** The persisted key file cannot be read back; it is never silently replaced, since tokens depend on it. */
export class SigningKeyFileError extends Error {
  readonly code = 'signing_keys_invalid';

  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message} (delete the file to start over with new keys)`, options);
    this.name = 'SigningKeyFileError';
  }
}

export interface SigningKeyStoreOptions {
  /** Where keys persist, e.g. `<state>/entra-standin/signing-keys.json`. */
  readonly file: string;
  readonly openssl?: string | undefined;
  /** Milliseconds since the epoch, for `createdAt`. */
  readonly now?: () => number;
}

/**
 * Entra publishes a handful of keys at a time. Beyond this many, rotation retires
 * the oldest, and tokens it signed stop verifying, as they would in Azure.
 */
export const MAX_PUBLISHED_KEYS = 3;

const storedKey = z.object({ kid: z.string().min(1), createdAt: z.string(), privateKeyPem: z.string(), certificatePem: z.string() });
const keyFile = z.object({ version: z.literal(1), keys: z.array(storedKey).min(1) });
type StoredKey = z.output<typeof storedKey>;

/**
 * The stand-in's signing keys, persisted so that a restarted stand-in keeps its kids
 * and tokens minted before the restart still verify. The newest key signs; all are
 * published. Rotation adds a new key beside the old ones.
 */
export class SigningKeyStore {
  private stored: readonly StoredKey[];
  private loaded: readonly StandinSigningKey[];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly options: SigningKeyStoreOptions,
    stored: readonly StoredKey[],
  ) {
    this.stored = stored;
    this.loaded = stored.map((key) => toSigningKey(key, options.file));
  }

  /** Loads the key file, creating it with a first key when it does not exist. */
  static async open(options: SigningKeyStoreOptions): Promise<SigningKeyStore> {
    const existing = await readKeyFile(options.file);
    if (existing) return new SigningKeyStore(options, existing);
    const store = new SigningKeyStore(options, [await newStoredKey(options)]);
    await store.persist();
    return store;
  }

  /** The key new tokens are signed with. */
  get active(): StandinSigningKey {
    const [newest] = this.loaded;
    if (!newest) throw new SigningKeyFileError(this.options.file, 'holds no key');
    return newest;
  }

  /** Every published key, newest first. */
  get keys(): readonly StandinSigningKey[] {
    return this.loaded;
  }

  /** Publishes a new key (which signs from now on) beside the previous ones, and persists the set. */
  rotate(): Promise<StandinSigningKey> {
    const next = this.queue.then(async () => {
      const created = await newStoredKey(this.options);
      this.stored = [created, ...this.stored].slice(0, MAX_PUBLISHED_KEYS);
      this.loaded = [toSigningKey(created, this.options.file), ...this.loaded].slice(0, MAX_PUBLISHED_KEYS);
      await this.persist();
      return this.active;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async persist(): Promise<void> {
    const { file } = this.options;
    await mkdir(dirname(file), { recursive: true });
    const scratch = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(scratch, `${JSON.stringify({ version: 1, keys: this.stored }, null, 2)}\n`, { mode: 0o600 });
    await rename(scratch, file);
  }
}

async function readKeyFile(file: string): Promise<StoredKey[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SigningKeyFileError(file, 'cannot be read', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new SigningKeyFileError(file, 'is not valid JSON', { cause });
  }
  const parsed = keyFile.safeParse(json);
  if (!parsed.success) throw new SigningKeyFileError(file, `is not a signing-key file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data.keys.slice(0, MAX_PUBLISHED_KEYS);
}

async function newStoredKey(options: SigningKeyStoreOptions): Promise<StoredKey> {
  const { privateKeyPem, certificatePem } = await createSelfSignedRsaCertificate({
    commonName: 'Entra stand-in token signing (dev only)',
    days: 5 * 365,
    openssl: options.openssl,
  });
  const createdAt = new Date(options.now?.() ?? Date.now()).toISOString();
  return { kid: thumbprint(new X509Certificate(certificatePem)), createdAt, privateKeyPem, certificatePem };
}

function toSigningKey(stored: StoredKey, file: string): StandinSigningKey {
  try {
    const certificate = new X509Certificate(stored.certificatePem);
    const privateKey = createPrivateKey(stored.privateKeyPem);
    const x5t = thumbprint(certificate);
    if (!certificate.checkPrivateKey(privateKey)) throw new Error('the private key does not belong to the certificate');
    if (stored.kid !== x5t) throw new Error('the kid is not the certificate thumbprint');
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('not an RSA key');
    return Object.freeze({ kid: stored.kid, x5t, x5c: certificate.raw.toString('base64'), createdAt: stored.createdAt, privateKey, n: jwk.n, e: jwk.e });
  } catch (cause) {
    throw new SigningKeyFileError(file, `key ${stored.kid} is unusable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function thumbprint(certificate: X509Certificate): string {
  return createHash('sha1').update(certificate.raw).digest('base64url');
}
