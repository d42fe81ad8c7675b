import { importJWK } from 'jose';
import type { SigningKey } from '../../lib/entra/signingKeys';
import { AuthError, KeyNotFoundError } from '../../lib/errors/authErrors';
import { VERIFICATION_STEPS, createVerificationContext, verifiedToken, type VerificationContext } from '../../lib/verify/verificationSteps';
import { OTHER_TENANT, TENANT, createTestKey, mintAccessToken } from '../support/entraTokens';
import { startHarness, type Harness } from '../support/verifierHarness';

/** Runs the steps an offline tool can run, as it would: in order, stopping at the first failure. */
async function runOffline(context: VerificationContext): Promise<{ ran: string[]; error?: unknown }> {
  const ran: string[] = [];
  for (const step of VERIFICATION_STEPS) {
    if (step.needsNetwork) continue;
    ran.push(step.name);
    try {
      await step.run(context);
    } catch (error) {
      return { ran, error };
    }
  }
  return { ran };
}

describe('the verification steps the verifier runs', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  const nowSeconds = () => h.clock.now / 1000;

  it('are listed in production order, with the network steps last and marked', () => {
    expect(VERIFICATION_STEPS.map((step) => [step.name, step.needsNetwork])).toEqual([
      ['jose_header', false],
      ['claim_shapes', false],
      ['token_version', false],
      ['audience', false],
      ['lifetime', false],
      ['tenant', false],
      ['access_token', false],
      ['client_app', false],
      ['issuer', true],
      ['signing_key', true],
      ['key_issuer', true],
      ['signature', true],
    ]);
    expect(Object.isFrozen(VERIFICATION_STEPS)).toBe(true);
    for (const step of VERIFICATION_STEPS) expect(step.description.length).toBeGreaterThan(10);
  });

  it('run offline on a valid token, establishing its tenant and caller without any fetch', async () => {
    const fetchesBefore = h.fetches.length;
    const token = await mintAccessToken(createTestKey('kid-offline'), { instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds() });
    expect(await runOffline(context)).toEqual({ ran: VERIFICATION_STEPS.filter((s) => !s.needsNetwork).map((s) => s.name) });
    expect(context.established).toMatchObject({ kid: 'kid-offline', version: '2.0', tenantId: TENANT });
    expect(h.fetches).toHaveLength(fetchesBefore);
  });

  it('stop offline at the same check, with the same complete error, as the production verifier', async () => {
    const token = await mintAccessToken(h.key, { instance: h.server.url, tenant: OTHER_TENANT });
    const offline = await runOffline(createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds() }));
    const production = await h.verifier.verify(token).catch((error: unknown) => error);
    expect(offline.ran.at(-1)).toBe('tenant');
    expect(offline.error).toBeInstanceOf(AuthError);
    expect(offline.error).toMatchObject({ code: 'tenant_not_allowed', check: 'claims.tid', facts: { tenantId: OTHER_TENANT, kid: h.key.kid } });
    expect(production).toMatchObject({ code: (offline.error as AuthError).code, check: (offline.error as AuthError).check, facts: (offline.error as AuthError).facts });
  });

  it('refuse, with a TypeError, to run a network step without network dependencies', async () => {
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds() });
    await runOffline(context);
    const issuer = VERIFICATION_STEPS.find((step) => step.name === 'issuer');
    await expect(async () => issuer?.run(context)).rejects.toThrow(TypeError);
  });

  it('give the verified token only when every step has run', async () => {
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds() });
    expect(() => verifiedToken(context)).toThrow(/out of order/);
    const signatureChecks: string[] = [];
    const network = {
      keyStore: { metadata: () => Promise.resolve({ issuer: `${h.server.url}/{tenantid}/v2.0`, jwksUri: `${h.server.url}/keys` }), key: async (): Promise<SigningKey> => ({ kid: h.key.kid, key: (await importJWK(h.key.publicJwk, 'RS256')) as SigningKey['key'], issuer: undefined }) },
      verifySignature: (signed: string) => void signatureChecks.push(signed),
    };
    const full = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network });
    for (const step of VERIFICATION_STEPS) await step.run(full);
    expect(signatureChecks).toEqual([token]);
    expect(verifiedToken(full)).toMatchObject({ tenantId: TENANT, version: '2.0', kid: h.key.kid });
  });

  it('re-issue key store failures with the token facts, without changing the thrown original', async () => {
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const original = new KeyNotFoundError('no key with this kid in the v2.0 key set', 'header.kid');
    const network = {
      keyStore: { metadata: () => Promise.resolve({ issuer: `${h.server.url}/{tenantid}/v2.0`, jwksUri: `${h.server.url}/keys` }), key: () => Promise.reject(original) },
      verifySignature: () => undefined,
    };
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network });
    const error = await (async () => {
      for (const step of VERIFICATION_STEPS) await step.run(context);
    })().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(KeyNotFoundError);
    expect(error).toMatchObject({ code: 'key_not_found', check: 'header.kid', facts: { tenantId: TENANT, kid: h.key.kid } });
    expect(original.facts).toEqual({});
  });
});
