import { createPublicKey, generateKeyPair, randomBytes, type JsonWebKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signDigest } from './digestSigner';

const generate = promisify(generateKeyPair);

export type VaultKeyType = 'RSA' | 'RSA-HSM' | 'EC' | 'EC-HSM';
export type VaultCurve = 'P-256' | 'P-384' | 'P-521' | 'P-256K';

/** What a new key (or the next version of one) is made of. */
export interface KeySpec {
  readonly kty: VaultKeyType;
  /** RSA only; default 2048. */
  readonly keySize?: number;
  /** EC only; default P-256. */
  readonly crv?: VaultCurve;
  readonly keyOps?: readonly string[];
}

/** Key Vault's key attributes; times in seconds since the epoch, as on the wire. */
export interface KeyAttributes {
  enabled: boolean;
  nbf: number | undefined;
  exp: number | undefined;
  readonly created: number;
  updated: number;
}

export interface KeyVersion {
  readonly name: string;
  readonly version: string;
  readonly spec: Required<Pick<KeySpec, 'kty'>> & KeySpec;
  readonly keyOps: readonly string[];
  /** Public members only (n, e / crv, x, y). */
  readonly publicJwk: JsonWebKey;
  readonly attributes: KeyAttributes;
  readonly privateKeyPath: string;
}

export type SignOutcome = { readonly ok: true; readonly signature: Buffer } | { readonly ok: false; readonly status: 400 | 403; readonly code: string; readonly message: string };

const CURVES: Readonly<Record<VaultCurve, { readonly node: string; readonly alg: string; readonly digestBytes: number; readonly fieldBytes: number }>> = {
  'P-256': { node: 'prime256v1', alg: 'ES256', digestBytes: 32, fieldBytes: 32 },
  'P-384': { node: 'secp384r1', alg: 'ES384', digestBytes: 48, fieldBytes: 48 },
  'P-521': { node: 'secp521r1', alg: 'ES512', digestBytes: 64, fieldBytes: 66 },
  'P-256K': { node: 'secp256k1', alg: 'ES256K', digestBytes: 32, fieldBytes: 32 },
};

const RSA_ALGS: Readonly<Record<string, { readonly hash: string; readonly digestBytes: number }>> = {
  RS256: { hash: 'sha256', digestBytes: 32 },
  RS384: { hash: 'sha384', digestBytes: 48 },
  RS512: { hash: 'sha512', digestBytes: 64 },
};

const RSA_OPS = ['encrypt', 'decrypt', 'sign', 'verify', 'wrapKey', 'unwrapKey'];
const EC_OPS = ['sign', 'verify'];

/**
 * The keys of the stand-in vault: versions in creation order, private keys in PEM
 * files in a private temporary directory (openssl signs from them), removed on close.
 */
export class VaultKeyStore {
  private readonly keys = new Map<string, KeyVersion[]>();

  private constructor(
    private readonly dir: string,
    private readonly now: () => number,
    private readonly openssl: string,
  ) {}

  static async open(options: { readonly now: () => number; readonly openssl?: string | undefined }): Promise<VaultKeyStore> {
    const dir = await mkdtemp(join(tmpdir(), 'keyvault-standin-'));
    return new VaultKeyStore(dir, options.now, options.openssl ?? 'openssl');
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Makes a new version of `name` (the key itself on first use). */
  async create(name: string, spec: KeySpec, attributes: { enabled?: boolean; nbf?: number | undefined; exp?: number | undefined } = {}): Promise<KeyVersion> {
    const kind = spec.kty.startsWith('RSA') ? 'RSA' : 'EC';
    const crv = spec.crv ?? 'P-256';
    const { privateKey } =
      kind === 'RSA'
        ? await generate('rsa', { modulusLength: spec.keySize ?? 2048 })
        : await generate('ec', { namedCurve: CURVES[crv].node });
    const version = randomBytes(16).toString('hex');
    const privateKeyPath = join(this.dir, `${name}-${version}.pem`);
    await writeFile(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const { n = '', e = '', x = '', y = '' } = createPublicKey(privateKey).export({ format: 'jwk' });
    const created = Math.floor(this.now() / 1000);
    const key: KeyVersion = {
      name,
      version,
      spec: kind === 'RSA' ? { ...spec, keySize: spec.keySize ?? 2048 } : { ...spec, crv },
      keyOps: spec.keyOps ?? (kind === 'RSA' ? RSA_OPS : EC_OPS),
      publicJwk: kind === 'RSA' ? { n, e } : { crv, x, y },
      attributes: { enabled: attributes.enabled ?? true, nbf: attributes.nbf, exp: attributes.exp, created, updated: created },
      privateKeyPath,
    };
    const versions = this.keys.get(name) ?? [];
    versions.push(key);
    this.keys.set(name, versions);
    return key;
  }

  /** A new version with the newest one's type, size or curve and operations. */
  async rotate(name: string): Promise<KeyVersion | undefined> {
    const latest = this.latest(name);
    return latest && this.create(name, { ...latest.spec, keyOps: latest.keyOps });
  }

  update(name: string, version: string, change: { enabled?: boolean | undefined; nbf?: number | null | undefined; exp?: number | null | undefined }): KeyVersion | undefined {
    const key = this.get(name, version);
    if (!key) return undefined;
    if (change.enabled !== undefined) key.attributes.enabled = change.enabled;
    if (change.nbf !== undefined) key.attributes.nbf = change.nbf ?? undefined;
    if (change.exp !== undefined) key.attributes.exp = change.exp ?? undefined;
    key.attributes.updated = Math.floor(this.now() / 1000);
    return key;
  }

  /** The current version: the most recently created, enabled or not, as in Key Vault. */
  latest(name: string): KeyVersion | undefined {
    return this.keys.get(name)?.at(-1);
  }

  get(name: string, version: string): KeyVersion | undefined {
    return this.keys.get(name)?.find((key) => key.version === version);
  }

  versions(name: string): readonly KeyVersion[] {
    return this.keys.get(name) ?? [];
  }

  /** Signs a digest with the vault's rules: enabled, within nbf/exp, `sign` allowed, algorithm and digest matching the key. */
  async sign(key: KeyVersion, alg: string, digest: Buffer): Promise<SignOutcome> {
    const refuse = (status: 400 | 403, code: string, message: string): SignOutcome => ({ ok: false, status, code, message });
    const now = Math.floor(this.now() / 1000);
    if (!key.attributes.enabled) return refuse(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.');
    if (key.attributes.nbf !== undefined && now < key.attributes.nbf) return refuse(403, 'Forbidden', 'Operation sign is not allowed before the key activation date.');
    if (key.attributes.exp !== undefined && now >= key.attributes.exp) return refuse(403, 'Forbidden', 'Operation sign is not allowed on an expired key.');
    if (!key.keyOps.includes('sign')) return refuse(403, 'Forbidden', 'Operation sign is not permitted on this key.');
    if (key.spec.kty.startsWith('RSA')) {
      const rsa = RSA_ALGS[alg];
      if (!rsa) return refuse(400, 'BadParameter', `Algorithm ${alg} is not supported by the stand-in for RSA keys (RS256, RS384, RS512).`);
      if (digest.length !== rsa.digestBytes) return refuse(400, 'BadParameter', `Invalid digest length ${digest.length} for ${alg}.`);
      return { ok: true, signature: await signDigest({ openssl: this.openssl, privateKeyPath: key.privateKeyPath, digest, kind: 'RSA', hash: rsa.hash }) };
    }
    const curve = CURVES[key.spec.crv ?? 'P-256'];
    if (alg !== curve.alg) return refuse(400, 'BadParameter', `Algorithm ${alg} does not match the key's curve ${key.spec.crv ?? 'P-256'} (${curve.alg}).`);
    if (digest.length !== curve.digestBytes) return refuse(400, 'BadParameter', `Invalid digest length ${digest.length} for ${alg}.`);
    return { ok: true, signature: await signDigest({ openssl: this.openssl, privateKeyPath: key.privateKeyPath, digest, kind: 'EC', fieldBytes: curve.fieldBytes }) };
  }
}
