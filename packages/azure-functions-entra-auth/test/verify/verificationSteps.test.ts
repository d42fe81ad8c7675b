import { createPublicKey, type JsonWebKey } from 'node:crypto';
import type { SigningKey, SigningKeySet } from '../../src/entra/signingKeys';
import { keyStoreFor } from '../../src/entra/entraKeyStore';
import { AuthError, KeyNotFoundError, SignatureInvalidError } from '../../src/errors/authErrors';
import { verifySignature } from '../../src/verify/createAccessTokenVerifier';
import { VERIFICATION_STEPS, createVerificationContext, verifiedToken, type VerificationContext } from '../../src/verify/verificationSteps';
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
      keyStore: {
        metadata: () => Promise.resolve({ issuer: `${h.server.url}/{tenantid}/v2.0`, jwksUri: `${h.server.url}/keys` }),
        key: (): Promise<SigningKey> => Promise.resolve({ kid: h.key.kid, key: createPublicKey({ key: h.key.publicJwk as JsonWebKey, format: 'jwk' }), issuer: undefined }),
        loadedMetadata: () => undefined,
        loadedKey: () => undefined,
        keySet: (): Promise<SigningKeySet> => Promise.resolve(new Map()),
        loadedKeySet: () => undefined,
      },
      verifySignature: (signed: string) => void signatureChecks.push(signed),
    };
    const full = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network });
    for (const step of VERIFICATION_STEPS) await step.run(full);
    expect(signatureChecks).toEqual([token]);
    expect(verifiedToken(full)).toMatchObject({ tenantId: TENANT, version: '2.0', kid: h.key.kid });
  });

  it('run every step synchronously, without a promise, once the key store holds the metadata and key', async () => {
    const keyStore = keyStoreFor(h.settings, { now: () => h.clock.now, fetch: h.server.fetchFor(h.server.publicOrigin) });
    await keyStore.preload('2.0');
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network: { keyStore, verifySignature } });
    const returned = VERIFICATION_STEPS.map((step) => step.run(context));
    expect(returned).toEqual(VERIFICATION_STEPS.map(() => undefined));
    expect(verifiedToken(context)).toMatchObject({ tenantId: TENANT, kid: h.key.kid });
  });

  it('wait for the key store only where nothing is loaded yet, then finish with the same result', async () => {
    const keyStore = keyStoreFor(h.settings, { now: () => h.clock.now, fetch: h.server.fetchFor(h.server.publicOrigin) });
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network: { keyStore, verifySignature } });
    const waited: string[] = [];
    for (const step of VERIFICATION_STEPS) {
      const pending = step.run(context);
      if (pending) {
        waited.push(step.name);
        await pending;
      }
    }
    expect(waited).toEqual(['issuer', 'signing_key']);
    expect(verifiedToken(context)).toMatchObject({ tenantId: TENANT, kid: h.key.kid });
  });

  it('run a v1 token synchronously too once both key sets are loaded (its key issuer is read from the v2 set)', async () => {
    const keyStore = keyStoreFor(h.settings, { now: () => h.clock.now, fetch: h.server.fetchFor(h.server.publicOrigin) });
    await Promise.all([keyStore.preload('1.0'), keyStore.preload('2.0')]);
    const token = await mintAccessToken(h.key, { version: '1.0', instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network: { keyStore, verifySignature } });
    expect(VERIFICATION_STEPS.map((step) => step.run(context))).toEqual(VERIFICATION_STEPS.map(() => undefined));
    expect(context.established.keyIssuer).toBe(`${h.server.url}/${TENANT}/v2.0`);
    expect(verifiedToken(context)).toMatchObject({ version: '1.0', tenantId: TENANT, kid: h.key.kid });
  });

  it('wait in key_issuer for a v1 token only while the v2 key set is not loaded', async () => {
    const keyStore = keyStoreFor(h.settings, { now: () => h.clock.now, fetch: h.server.fetchFor(h.server.publicOrigin) });
    await keyStore.preload('1.0');
    const token = await mintAccessToken(h.key, { version: '1.0', instance: h.server.url });
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network: { keyStore, verifySignature } });
    const waited: string[] = [];
    for (const step of VERIFICATION_STEPS) {
      const pending = step.run(context);
      if (pending) {
        waited.push(step.name);
        await pending;
      }
    }
    expect(waited).toEqual(['key_issuer']);
    expect(verifiedToken(context)).toMatchObject({ version: '1.0', tenantId: TENANT });
  });

  it('re-issue a synchronous signature failure with the token facts', async () => {
    const keyStore = keyStoreFor(h.settings, { now: () => h.clock.now, fetch: h.server.fetchFor(h.server.publicOrigin) });
    await keyStore.preload('2.0');
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const original = new SignatureInvalidError('signature does not verify with the published key', 'signature');
    const refuse = (): void => {
      throw original;
    };
    const context = createVerificationContext(token, { settings: h.settings, nowSeconds: nowSeconds(), network: { keyStore, verifySignature: refuse } });
    let thrown: unknown;
    try {
      for (const step of VERIFICATION_STEPS) expect(step.run(context)).toBeUndefined();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SignatureInvalidError);
    expect(thrown).toMatchObject({ code: 'signature_invalid', check: 'signature', facts: { tenantId: TENANT, kid: h.key.kid } });
    expect(original.facts).toEqual({});
  });

  it('re-issue key store failures with the token facts, without changing the thrown original', async () => {
    const token = await mintAccessToken(h.key, { instance: h.server.url });
    const original = new KeyNotFoundError('no key with this kid in the v2.0 key set', 'header.kid');
    const network = {
      keyStore: {
        metadata: () => Promise.resolve({ issuer: `${h.server.url}/{tenantid}/v2.0`, jwksUri: `${h.server.url}/keys` }),
        key: () => Promise.reject(original),
        loadedMetadata: () => undefined,
        loadedKey: () => undefined,
        keySet: (): Promise<SigningKeySet> => Promise.resolve(new Map()),
        loadedKeySet: () => undefined,
      },
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
