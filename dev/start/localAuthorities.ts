import { loadAuthSettings, type AuthorityConfig } from 'azure-functions-entra-auth';

/** Where the app's configured authorities are served from, as `npm start` needs to know it. */
export interface AuthorityHosts {
  /** The port of the local stand-in every loopback authority names, if any does. */
  readonly standinPort: number | undefined;
  /** Authorities served elsewhere (a real tenant), for the start message. */
  readonly remote: readonly string[];
}

/** The origin an authority's discovery documents come from. */
function servedFrom(authority: AuthorityConfig): string {
  switch (authority.kind) {
    case 'workforce':
      return authority.instance;
    case 'externalId':
      return authority.discoveryBase ?? `https://${authority.tenantName}.ciamlogin.com`;
    case 'b2c':
      return authority.discoveryBase ?? `https://${authority.host}`;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Reads the app's AUTH_* settings (either form: AUTH_TENANT_ID and friends, or
 * AUTH_AUTHORITIES) exactly as the app will, so a mistake stops `npm start` with the app's
 * own message before anything starts; then which stand-in port they name. Authorities on
 * two different loopback ports cannot all be served by one stand-in, so that is refused.
 */
export function authorityHosts(env: Readonly<Record<string, string | undefined>>): AuthorityHosts {
  const settings = loadAuthSettings(env);
  const local = new Set<number>();
  const remote: string[] = [];
  for (const authority of settings.authorities) {
    const origin = new URL(servedFrom(authority));
    if (LOOPBACK.has(origin.hostname)) local.add(Number(origin.port || 443));
    else remote.push(`${authority.name} (${origin.origin})`);
  }
  if (local.size > 1) {
    throw new Error(`the authorities name local stand-ins on ports ${[...local].join(' and ')}: one stand-in serves every local authority, so give them one port`);
  }
  return { standinPort: [...local][0], remote };
}
