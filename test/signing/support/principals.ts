import type { Principal } from 'azure-functions-entra-auth';
import { CALLER_APP, TENANT, USER_OID } from '../../../packages/azure-functions-entra-auth/test/support/entraTokens';

export const DAEMON_OID = 'a2b4c6d8-1e3f-4a5b-8c7d-9e0f1a2b3c4d';

/** A principal as withAuth would build it for a daemon with Orders.ReadWrite, or a user with that scope. */
export function testPrincipal(kind: 'app' | 'user' = 'app'): Principal {
  const app = kind === 'app';
  const claims = {
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    aud: 'api://orders-api',
    exp: Math.floor(Date.now() / 1000) + 3600,
    tid: TENANT,
    ver: '2.0',
    oid: app ? DAEMON_OID : USER_OID,
    sub: app ? DAEMON_OID : 'jH3gTqK8mV0m5cJw7u9bPq2Lr6sXyZa1bC3dE5fG7hI',
    azp: CALLER_APP,
    uti: 'AbCdEfGhIjKlMnOpQrStUv',
    ...(app ? { roles: ['Orders.ReadWrite'], idtyp: 'app' } : { scp: 'User.Read Orders.ReadWrite', idtyp: 'user' }),
  };
  return {
    objectId: claims.oid,
    subject: claims.sub,
    tenantId: TENANT,
    clientAppId: CALLER_APP,
    keyId: 'test-key',
    isAppOnly: app,
    roles: app ? ['Orders.ReadWrite'] : [],
    scopes: app ? [] : ['User.Read', 'Orders.ReadWrite'],
    tokenVersion: '2.0',
    authority: 'default',
    authorityKind: 'workforce',
    userFlow: undefined,
    claims,
  };
}
