import type { JWK } from 'jose';
import { ClaimInvalidError, IssuerMismatchError, TenantNotAllowedError } from '../../src/errors/authErrors';
import { CALLER_APP, OTHER_TENANT, TENANT, USER_OID, createTestKey, mintAccessToken } from '../support/entraTokens';
import { outcome, startHarness, type Harness } from '../support/verifierHarness';

describe('verifying real-shaped Entra access tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it.each([
    ['2.0', 'app'],
    ['2.0', 'delegated'],
    ['1.0', 'app'],
    ['1.0', 'delegated'],
  ] as const)('accepts a v%s %s token and reports its tenant, caller and version', async (version, kind) => {
    const token = await mintAccessToken(h.key, { version, kind, instance: h.server.url, scp: 'Orders.Read Orders.ReadWrite' });
    const verified = await h.verifier.verify(token);
    expect(verified.version).toBe(version);
    expect(verified.tenantId).toBe(TENANT);
    expect(verified.clientAppId).toBe(CALLER_APP);
    expect(verified.kid).toBe(h.key.kid);
    if (kind === 'app') expect(verified.claims.roles).toEqual(['Orders.Read']);
    else expect(verified.claims.scp).toBe('Orders.Read Orders.ReadWrite');
    if (kind === 'delegated') expect(verified.claims.oid).toBe(USER_OID);
    expect(verified.isAppOnly).toBe(kind === 'app');
    expect(verified.roles).toEqual(kind === 'app' ? ['Orders.Read'] : []);
    expect(verified.scopes).toEqual(kind === 'app' ? [] : ['Orders.Read', 'Orders.ReadWrite']);
  });

  it('gives out a verified token no handler can change, since a cache hit serves the same one to the next request', async () => {
    const token = await mintAccessToken(h.key, { kind: 'app', instance: h.server.url });
    const verified = await h.verifier.verify(token);
    expect(Object.isFrozen(verified)).toBe(true);
    expect(Object.isFrozen(verified.claims)).toBe(true);
    expect(Object.isFrozen(verified.roles)).toBe(true);
    expect(() => (verified.roles as string[]).push('Orders.ReadWrite')).toThrow(TypeError);
    expect(() => {
      (verified.claims as { tid: string }).tid = 'another';
    }).toThrow(TypeError);
  });

  it('accepts a v1 token whose aud is the App ID URI with a trailing slash', async () => {
    const token = await mintAccessToken(h.key, { version: '1.0', claims: { aud: 'api://orders-api/' } });
    expect(await outcome(h.verifier, token)).toBe('ok');
  });

  it('accepts a v1 token whose aud is the client ID', async () => {
    const token = await mintAccessToken(h.key, { version: '1.0', claims: { aud: h.settings.clientId } });
    expect(await outcome(h.verifier, token)).toBe('ok');
  });

  it('refuses a v2 token presenting the v1 issuer form, and a v1 token presenting the v2 form', async () => {
    const v2WithV1Issuer = await mintAccessToken(h.key, { version: '2.0', claims: { iss: `https://sts.windows.net/${TENANT}/` } });
    const v1WithV2Issuer = await mintAccessToken(h.key, { version: '1.0', claims: { iss: `${h.server.url}/${TENANT}/v2.0` } });
    await expect(h.verifier.verify(v2WithV1Issuer)).rejects.toBeInstanceOf(IssuerMismatchError);
    await expect(h.verifier.verify(v1WithV2Issuer)).rejects.toMatchObject({ code: 'issuer_mismatch', check: 'claims.iss' });
  });

  it('refuses a token from another tenant in single-tenant mode, keeping the tenant for telemetry', async () => {
    const token = await mintAccessToken(h.key, { tenant: OTHER_TENANT, instance: h.server.url });
    const error = await h.verifier.verify(token).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantNotAllowedError);
    expect(error).toMatchObject({ check: 'claims.tid', facts: { tenantId: OTHER_TENANT, clientAppId: CALLER_APP, version: '2.0', kid: h.key.kid } });
  });

  it('refuses a tid that is not a GUID', async () => {
    const token = await mintAccessToken(h.key, { claims: { tid: 'contoso.onmicrosoft.com' } });
    await expect(h.verifier.verify(token)).rejects.toMatchObject(new ClaimInvalidError('tid', 'invalid', 'tid must be a tenant GUID'));
  });

  it('fetches discovery and keys once per version, then serves from cache', async () => {
    const before = h.fetches.length;
    for (let i = 0; i < 5; i++) await h.verifier.verify(await mintAccessToken(h.key, { instance: h.server.url }));
    expect(h.fetches.length).toBe(before);
    expect(h.server.count('/v2.0/.well-known/openid-configuration')).toBe(1);
    expect(h.server.count('/discovery/v2.0/keys')).toBe(1);
    expect(h.server.count('/discovery/keys')).toBe(1);
  });
});

describe('refusals', () => {
  it.each([
    ['a malformed token', () => Promise.resolve('not.a.jwt'), 'token_malformed'],
    ['a token of another tenant', (h: Harness) => mintAccessToken(h.key, { tenant: OTHER_TENANT, instance: h.server.url }), 'tenant_not_allowed'],
    ['a forged signature', async (h: Harness) => `${(await mintAccessToken(h.key, { instance: h.server.url })).slice(0, -4)}AAAA`, 'signature_invalid'],
  ])('answer %s with a rejected promise, never a synchronous throw, with the cache on and off', async (_name, make, code) => {
    for (const cacheSize of [undefined, 0]) {
      const h = await startHarness(cacheSize === undefined ? {} : { cacheSize });
      try {
        await h.verifier.warmUp(); // keys loaded: every step runs synchronously
        const token = await make(h);
        let pending: Promise<unknown> | undefined;
        expect(() => {
          pending = h.verifier.verify(token);
        }).not.toThrow();
        await expect(pending).rejects.toMatchObject({ code });
      } finally {
        await h.stop();
      }
    }
  });
});

describe('multi-tenant APIs', () => {
  it.each(['organizations', 'common'])('with AUTH_TENANT_ID=%s resolves the {tenantid} issuer with the token tid and applies the allow-list', async (authority) => {
    const h = await startHarness({ env: { AUTH_TENANT_ID: authority, AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
    try {
      for (const tenant of [TENANT, OTHER_TENANT]) {
        for (const version of ['1.0', '2.0'] as const) {
          expect(await outcome(h.verifier, await mintAccessToken(h.key, { tenant, version, instance: h.server.url }))).toBe('ok');
        }
      }
      const stranger = 'c0ffee00-0000-4000-8000-000000000001';
      expect(await outcome(h.verifier, await mintAccessToken(h.key, { tenant: stranger, instance: h.server.url }))).toBe('tenant_not_allowed');
      // Metadata is fetched from the configured authority only, never from a tenant named in a token.
      expect(h.fetches.every((url) => url.includes(`/${authority}/`))).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it('accepts any tenant when AUTH_ALLOWED_TENANTS is *', async () => {
    const h = await startHarness({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: '*' } });
    try {
      const token = await mintAccessToken(h.key, { tenant: 'c0ffee00-0000-4000-8000-000000000001', instance: h.server.url });
      expect((await h.verifier.verify(token)).tenantId).toBe('c0ffee00-0000-4000-8000-000000000001');
    } finally {
      await h.stop();
    }
  });

  it('refuses a token whose iss names a different tenant than its tid', async () => {
    const h = await startHarness({ env: { AUTH_TENANT_ID: 'common', AUTH_ALLOWED_TENANTS: '*' } });
    try {
      const token = await mintAccessToken(h.key, { tenant: TENANT, claims: { iss: `${h.server.url}/${OTHER_TENANT}/v2.0` } });
      expect(await outcome(h.verifier, token)).toBe('issuer_mismatch');
    } finally {
      await h.stop();
    }
  });
});

describe('sovereign and public cloud instances', () => {
  it.each(['https://login.microsoftonline.com', 'https://login.microsoftonline.us', 'https://login.partner.microsoftonline.cn'])(
    'takes issuers and keys from the discovery documents of %s',
    async (instance) => {
      const h = await startHarness({ instance });
      try {
        expect(await outcome(h.verifier, await mintAccessToken(h.key, { instance, version: '2.0' }))).toBe('ok');
        expect(await outcome(h.verifier, await mintAccessToken(h.key, { instance, version: '1.0' }))).toBe('ok');
        // A v2 token naming the public cloud is refused by a sovereign deployment, and vice versa.
        const elsewhere = instance === 'https://login.microsoftonline.com' ? 'https://login.microsoftonline.us' : 'https://login.microsoftonline.com';
        expect(await outcome(h.verifier, await mintAccessToken(h.key, { instance: elsewhere }))).toBe('issuer_mismatch');
        expect(h.fetches.every((url) => url.startsWith(`${instance}/${TENANT}/`))).toBe(true);
      } finally {
        await h.stop();
      }
    },
  );
});

describe('per-key issuer in v2 key sets', () => {
  it('refuses a token signed by a key published for another issuer', async () => {
    const key = createTestKey();
    const h = await startHarness({ key });
    try {
      h.server.setKeys([{ ...key.publicJwk, issuer: `${h.server.url}/${OTHER_TENANT}/v2.0` } as JWK]);
      const token = await mintAccessToken(key, { instance: h.server.url });
      await expect(h.verifier.verify(token)).rejects.toMatchObject({ code: 'issuer_mismatch', check: 'key.issuer' });
    } finally {
      await h.stop();
    }
  });
});
