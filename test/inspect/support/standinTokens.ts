import { signAccessToken, tokenVersionFor } from '../../../packages/azure-functions-entra-dev/src/standin/accessTokens';
import { signingKeyFile } from '../../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { SigningKeyStore, type StandinSigningKey } from '../../../packages/azure-functions-entra-dev/src/standin/signingKeys';
import { accessTokenClaims } from '../../../packages/azure-functions-entra-auth/test/support/entraTokens';
import type { StandinHarness } from '../../dev/support/standinHarness';

/**
 * Tokens of a signed-in user (delegated, `scp`), which the stand-in's client_credentials
 * endpoint never issues: the claims Entra puts in them, signed by the stand-in's own
 * active key with its own signing function, so its published key set verifies them.
 */
export async function standinSigningKey(h: StandinHarness): Promise<StandinSigningKey> {
  return (await SigningKeyStore.open({ file: signingKeyFile(h.stateDir) })).active;
}

export interface DelegatedOptions {
  readonly scp: string;
  readonly claims?: Record<string, unknown>;
  readonly nowSeconds?: number;
}

export function delegatedClaims(h: StandinHarness, apiName: string, clientName: string, options: DelegatedOptions): Record<string, unknown> {
  const api = h.api(apiName);
  const client = h.client(clientName);
  const version = tokenVersionFor(api);
  return accessTokenClaims({
    version,
    kind: 'delegated',
    tenant: h.standin.tenantId,
    instance: h.standin.url,
    scp: options.scp,
    ...(options.nowSeconds !== undefined && { now: options.nowSeconds }),
    claims: { aud: version === '2.0' ? api.clientId : api.appIdUri, ...(version === '2.0' ? { azp: client.clientId } : { appid: client.clientId }), ...options.claims },
  });
}

export async function delegatedToken(h: StandinHarness, apiName: string, clientName: string, options: DelegatedOptions): Promise<string> {
  const key = await standinSigningKey(h);
  return signAccessToken(delegatedClaims(h, apiName, clientName, options), key, tokenVersionFor(h.api(apiName)));
}

/** The settings Values that point the app at the stand-in for one of its APIs. */
export function standinSettings(h: StandinHarness, apiName: string, extra: Record<string, string> = {}): Record<string, string> {
  const api = h.api(apiName);
  // The app needs an orders store to start, so the inspector, reading settings as the app does, needs one too.
  return { AUTH_TENANT_ID: h.standin.tenantId, AUTH_CLIENT_ID: api.clientId, AUTH_APP_ID_URI: api.appIdUri, AUTH_INSTANCE: h.standin.url, ORDERS_STORAGE: 'UseDevelopmentStorage=true', ...extra };
}
