import { createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { describePublicKey } from './publicKeys';
import type { ActiveSigningKey, PublishedKey, SigningKeySource } from './signingKey';

/**
 * Local development only: an EC P-256 key made in memory at startup, so assertions
 * can be tried without a vault. It changes at every start and differs per instance,
 * which is why the settings refuse it in Azure.
 */
export class DevelopmentKeySource implements SigningKeySource {
  readonly description: string;
  private readonly key: PublishedKey;
  private readonly privateKey: KeyObject;

  isLoaded(): boolean {
    return true;
  }

  constructor() {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const kid = `dev-${randomBytes(8).toString('hex')}`;
    const described = describePublicKey(kid, createPublicKey(privateKey));
    if (!described.ok) throw new Error(`development key unusable: ${described.reason}`);
    this.key = described.key;
    this.privateKey = privateKey;
    this.description = `an in-memory development key (kid ${kid})`;
  }

  publishedKeys(): Promise<readonly PublishedKey[]> {
    return Promise.resolve([this.key]);
  }

  signingKey(): Promise<ActiveSigningKey> {
    const { privateKey } = this;
    return Promise.resolve({
      ...this.key,
      sign: (input: Buffer) => Promise.resolve(sign('sha256', input, { key: privateKey, dsaEncoding: 'ieee-p1363' })),
    });
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  refresh(): Promise<void> {
    return Promise.resolve();
  }
}
