import { readFileSync } from 'node:fs';
import { isLoopbackHost } from 'azure-functions-entra-auth/settings';
import { createNodeHttpFetch } from 'azure-functions-entra-auth';
import type { FetchLike } from 'azure-functions-entra-auth';

/** The CAs the app would trust for AUTH_INSTANCE beyond Node's own store. */
export interface InstanceTrust {
  /** AUTH_INSTANCE_CA_FILE's certificate, as the app's runtime reads it. */
  readonly caPem: string | undefined;
  /** A NODE_EXTRA_CA_CERTS the app process would get from the settings file (the environment set none). */
  readonly localCaFile: string | undefined;
}

/**
 * How the inspector reaches the discovery document and key set: as the app would.
 * AUTH_INSTANCE_CA_FILE first, exactly as the runtime uses it; otherwise, for a local
 * stand-in (a loopback AUTH_INSTANCE over https), the CA that the settings file gives the
 * app process as NODE_EXTRA_CA_CERTS, which this process did not start with; otherwise
 * the default roots. The transport is the auth package's own (createNodeHttpFetch).
 */
export function keyFetchFor(instance: string, trust: InstanceTrust): FetchLike {
  const url = new URL(instance);
  const local = url.protocol === 'https:' && isLoopbackHost(url.hostname);
  const pem = trust.caPem ?? (local && trust.localCaFile !== undefined ? readFileSync(trust.localCaFile, 'utf8') : undefined);
  return createNodeHttpFetch(pem === undefined ? {} : { ca: pem });
}
