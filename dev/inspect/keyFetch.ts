import { readFileSync } from 'node:fs';
import { isLoopbackHost } from '../../lib/config/fields';
import type { FetchLike } from '../../lib/net/fetchJson';
import { createCaTrustingFetch } from '../tls/caTrustingFetch';

/**
 * How the inspector reaches the discovery document and key set: the global fetch,
 * as the app does, except for a local stand-in (a loopback AUTH_INSTANCE over https)
 * whose CA the settings file names in NODE_EXTRA_CA_CERTS: the app trusts that CA at
 * process start under `npm start` and `func start`, so the inspector trusts it too.
 */
export function keyFetchFor(instance: string, localCaFile: string | undefined): FetchLike {
  const url = new URL(instance);
  if (localCaFile !== undefined && url.protocol === 'https:' && isLoopbackHost(url.hostname)) {
    const trusting = createCaTrustingFetch(readFileSync(localCaFile, 'utf8'));
    return (input, init) => trusting(input, init);
  }
  return (input, init) => fetch(input, init);
}
