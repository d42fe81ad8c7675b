import { randomBytes } from 'node:crypto';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';

/** A credential that hands out one fixed token and remembers what it was asked for. */
export class FixedTokenCredential implements TokenCredential {
  readonly token = `kv-test-token-${randomBytes(12).toString('hex')}`;
  readonly requests: { readonly scopes: readonly string[]; readonly tenantId: string | undefined }[] = [];

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({ scopes: Array.isArray(scopes) ? scopes : [scopes], tenantId: options?.tenantId });
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3_600_000 });
  }
}
