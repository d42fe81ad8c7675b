import { inspectToken } from '../../packages/azure-functions-entra-dev/src/inspect/inspectToken';
import type { Inspection } from '../../packages/azure-functions-entra-dev/src/inspect/inspection';
import { inspectionJson, inspectionText } from '../../packages/azure-functions-entra-dev/src/inspect/renderInspection';
import type { AppDescription } from '../../packages/azure-functions-entra-dev/src/inspect/appDescription';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { AuthError } from '../../packages/azure-functions-entra-auth/src/errors/authErrors';
import type { FetchLike } from 'azure-functions-entra-auth';
import { VERIFICATION_STEPS } from 'azure-functions-entra-auth';
import { API_CLIENT_ID, OTHER_TENANT, TENANT, accessTokenClaims, b64url, createTestKey, type TestKey } from '../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { compact, publicKeyPem, rejectionOf, replaceSegment, segmentsOf, signers, startRequestTrap, withNonCanonicalTail, type RequestTrap } from '../../packages/azure-functions-entra-auth/test/support/hostileTokens';
import { startHarness, type Harness } from '../../packages/azure-functions-entra-auth/test/support/verifierHarness';

/**
 * One code path: for genuine and hostile tokens alike, the inspector's verdict and the
 * check it names as failed are exactly what the production verifier decides, online;
 * offline it makes no request at all and fails the same check or skips it.
 */

const NOW_S = 1_750_000_000;
const INSTANCE = 'https://login.microsoftonline.com';
const GRAPH = '00000003-0000-0000-c000-000000000000';

let h: Harness;
let attacker: TestKey;
let trap: RequestTrap;
let fetches: string[];
let fetch: FetchLike;

beforeAll(async () => {
  h = await startHarness({ instance: INSTANCE, nowMs: NOW_S * 1000, cacheSize: 0 });
  attacker = createTestKey(h.key.kid);
  trap = await startRequestTrap({ keys: [attacker.publicJwk] });
  fetches = [];
  const route = h.server.fetchFor(INSTANCE);
  fetch = (input, init) => {
    fetches.push(input);
    return route(input, init);
  };
});
afterAll(async () => {
  await h.stop();
  await trap.stop();
});

const claims = (overrides: Record<string, unknown> = {}, version: '1.0' | '2.0' = '2.0') => accessTokenClaims({ version, now: NOW_S, instance: INSTANCE, claims: overrides });
const header = (extra: Record<string, unknown> = {}) => Object.fromEntries(Object.entries({ typ: 'JWT', alg: 'RS256', kid: h.key.kid, ...extra } as Record<string, unknown>).filter(([, v]) => v !== undefined));
const entra = (payload: object | string = claims(), head: object | string = header()) => compact(head, payload, signers.rs256(h.key.privateKey));

const CASES: [string, () => string][] = [
  ['a genuine v2 app-only token', () => entra()],
  ['a genuine v1 delegated token', () => entra(accessTokenClaims({ version: '1.0', kind: 'delegated', now: NOW_S, instance: INSTANCE }))],
  ['alg none with an empty signature', () => compact(header({ alg: 'none' }), claims(), signers.fixed(Buffer.alloc(0)))],
  ['alg none over a genuine signature', () => entra(claims(), header({ alg: 'none' }))],
  ['HS256 keyed with the public key PEM', () => compact(header({ alg: 'HS256' }), claims(), signers.hmac('sha256', publicKeyPem(h.key.privateKey, 'spki')))],
  ['an embedded jwk', () => compact(header({ jwk: attacker.publicJwk }), claims(), signers.rs256(attacker.privateKey))],
  ['jku pointing at a trap on 127.0.0.1', () => compact(header({ jku: `${trap.url}/keys` }), claims(), signers.rs256(attacker.privateKey))],
  ['kid SQL injection', () => entra(claims(), header({ kid: "' OR '1'='1" }))],
  ['an unknown kid', () => compact(header({ kid: 'rotated-away' }), claims(), signers.rs256(attacker.privateKey))],
  ["the attacker's key under Entra's kid", () => compact(header(), claims(), signers.rs256(attacker.privateKey))],
  ['a Microsoft Graph token with its nonce header', () => entra(claims({ aud: GRAPH }), header({ nonce: 'abc123' }))],
  ['a token for another API', () => entra(claims({ aud: 'api://other-api' }))],
  ['an expired token', () => entra(claims({ exp: NOW_S - 900, iat: NOW_S - 4000, nbf: NOW_S - 4000 }))],
  ['a token not valid for another hour', () => entra(claims({ nbf: NOW_S + 3600 }))],
  ['nbf after exp, both within the skew', () => entra(claims({ nbf: NOW_S + 60, exp: NOW_S + 30 }))],
  ['a ten-year lifetime from the epoch', () => entra(claims({ iat: 0, nbf: 0, exp: NOW_S + 10 * 365 * 86_400 }))],
  ['a token from another tenant', () => entra(accessTokenClaims({ now: NOW_S, instance: INSTANCE, tenant: OTHER_TENANT }))],
  ['an access token without a caller (azp)', () => entra(claims({ azp: undefined }))],
  ['the wrong issuer', () => entra(claims({ iss: 'https://login.microsoftonline.us/' + TENANT + '/v2.0' }))],
  ['a duplicate alg member', () => entra(claims(), `{"alg":"none",${JSON.stringify(header()).slice(1)}`)],
  ['a non-canonical payload encoding', () => replaceSegment(entra(), 1, withNonCanonicalTail(segmentsOf(entra())[1]))],
  ['a signature of another token', () => replaceSegment(entra(), 2, segmentsOf(entra(claims({ uti: 'other' })))[2])],
  ['five segments (JWE)', () => [b64url({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }), 'AAAA', 'AAAA', 'AAAA', 'AAAA'].join('.')],
  ['two segments', () => `${b64url(header())}.${b64url(claims())}`],
  ['not a JWT at all', () => 'hello-world'],
  ['more than 16 KB', () => entra(claims({ xms_blob: 'x'.repeat(17_000) }))],
  ['a v1 token whose aud is the client ID', () => entra(claims({ aud: API_CLIENT_ID }, '1.0'))],
];

async function inspect(token: string, offline: boolean): Promise<Inspection> {
  return inspectToken(token, { settings: h.settings, settingsOrigin: 'test', offline, showClaims: false, fetch, now: () => NOW_S * 1000, app: ordersApp() });
}

/** The app as the inspector reads it from a loaded app: this repository's orders route, with the harness's settings. */
function ordersApp(): AppDescription {
  const { orders } = appRoutes(loadDeclaredPermissions());
  return {
    routePrefix: 'api',
    routes: [{ name: orders.name, route: orders.route, methods: Object.keys(orders.policy), authLevel: 'anonymous', protection: { policy: orders.policy, settings: h.settings, realm: 'api://orders-api' } }],
  };
}

async function verifierOutcome(token: string): Promise<{ code: string; check: string; status: number } | 'accepted'> {
  const error = await rejectionOf(h.verifier.verify(token));
  if (typeof error === 'string') return 'accepted';
  if (!(error instanceof AuthError)) throw new Error(`the verifier threw a non-AuthError: ${String(error)}`);
  return { code: error.code, check: error.check, status: error.http.status };
}

describe.each(CASES)('%s', (_name, build) => {
  it('gets the verdict and the failed check the production verifier gives, and nothing after it runs', async () => {
    const token = build();
    const expected = await verifierOutcome(token);
    const inspection = await inspect(token, false);
    const failed = inspection.checks.filter((row) => row.status === 'fail');
    if (expected === 'accepted') {
      expect(inspection.verdict).toBe('accepted');
      expect(failed).toEqual([]);
      expect(inspection.checks.every((row) => row.status === 'pass')).toBe(true);
      return;
    }
    expect(inspection.verdict).toBe('refused');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ code: expected.code, check: expected.check });
    expect(inspection.answer).toContain(`withAuth answers ${expected.status} `);
    expect(failed[0]?.fix).toEqual(expect.any(String));
    const at = inspection.checks.findIndex((row) => row.status === 'fail');
    expect(inspection.checks.slice(0, at).every((row) => row.status === 'pass')).toBe(true);
    expect(inspection.checks.slice(at + 1).every((row) => row.status === 'not reached')).toBe(true);
  });

  it('offline, makes no request and fails the same check, or skips it when only the network could tell', async () => {
    const token = build();
    const expected = await verifierOutcome(token);
    const before = fetches.length;
    const inspection = await inspect(token, true);
    expect(fetches).toHaveLength(before);
    expect(trap.requests).toEqual([]);
    const skipped = inspection.checks.filter((row) => row.status === 'skipped').map((row) => row.name);
    const failed = inspection.checks.find((row) => row.status === 'fail');
    if (failed) {
      expect(expected).toMatchObject({ code: failed.code, check: failed.check });
    } else {
      expect(inspection.verdict).toBe('passed-offline');
      expect(skipped.length).toBeGreaterThan(0);
    }
  });
});

it('made no request to the jku/x5u trap, ever', () => {
  expect(trap.requests).toEqual([]);
});

describe('the steps are the production list, in its order', () => {
  it("withAuth's header parsing, the decoding, then one row per VERIFICATION_STEPS entry; offline skips exactly those marked needsNetwork", async () => {
    const online = await inspect(entra(), false);
    expect(online.checks.map((row) => row.name)).toEqual(['bearer_header', 'form', ...VERIFICATION_STEPS.map((step) => step.name)]);
    expect(online.checks.map((row) => row.description)).toEqual([expect.any(String), expect.any(String), ...VERIFICATION_STEPS.map((step) => step.description)]);
    const offline = await inspect(entra(), true);
    expect(offline.checks.filter((row) => row.status === 'skipped').map((row) => row.name)).toEqual(
      VERIFICATION_STEPS.filter((step) => step.needsNetwork).map((step) => step.name),
    );
    expect(offline.routes?.routes.length).toBeGreaterThan(0);
  });
});

describe("withAuth's own header parsing comes first", () => {
  it.each([
    ['a space inside the token', () => entra().replace('.', ' .')],
    ['a comma (two credentials)', () => `${entra()},${entra()}`],
    ['a character no header can carry', () => `${entra()}\u00e9\u4e2d`],
  ])('%s: 400 invalid_request, as withAuth answers, before any verification', async (_name, build) => {
    const inspection = await inspect(build(), false);
    expect(inspection.verdict).toBe('refused');
    expect(inspection.checks[0]).toMatchObject({ name: 'bearer_header', status: 'fail', code: 'invalid_request' });
    expect(inspection.checks.slice(1).every((row) => row.status === 'not reached')).toBe(true);
    expect(inspection.answer).toMatch(/^withAuth answers 400 invalid_request/);
  });
});

describe('the lifetime rule', () => {
  it('names claims.lifetime for nbf after exp, offline and online, in the rendered text too', async () => {
    const token = entra(claims({ nbf: NOW_S + 60, exp: NOW_S + 30 }));
    for (const offline of [true, false]) {
      const inspection = await inspect(token, offline);
      expect(inspection.checks.find((row) => row.status === 'fail')).toMatchObject({ name: 'lifetime', code: 'token_malformed', check: 'claims.lifetime' });
      expect(inspectionText(inspection)).toContain('claims.lifetime');
    }
  });
});

describe('one-line fixes', () => {
  const fixOf = async (token: string) => (await inspect(token, false)).checks.find((row) => row.status === 'fail')?.fix;

  it.each([
    ['a Microsoft Graph token', () => entra(claims({ aud: GRAPH }), header({ nonce: 'abc123' })), 'Microsoft Graph token (nonce header): it can never validate here; request scope=api://orders-api/.default'],
    ['a token for another API', () => entra(claims({ aud: 'api://other-api' })), 'the token was issued for another API: request scope=api://orders-api/.default'],
    ['a token expired 15 minutes ago', () => entra(claims({ exp: NOW_S - 900, iat: NOW_S - 4000, nbf: NOW_S - 4000 })), 'clock skew: expired 15 min ago (beyond the 300 s allowed)'],
    ['a token from another tenant', () => entra(accessTokenClaims({ now: NOW_S, instance: INSTANCE, tenant: OTHER_TENANT })), `token from tenant ${OTHER_TENANT}, but AUTH_TENANT_ID=${TENANT}`],
    ['nbf after exp', () => entra(claims({ nbf: NOW_S + 60, exp: NOW_S + 30 })), 'nbf is after exp, so the token is never valid, whatever the clock'],
    ['exp 1e300', () => entra(claims({ exp: 1e300 })), 'the token lives longer than AUTH_MAX_TOKEN_LIFETIME_SECONDS=100800 (28 h 0 min)'],
    ['an alg none token', () => entra(claims(), header({ alg: 'none' })), 'signed with none: Entra signs access tokens with RS256 only'],
    ['a forged signature', () => compact(header(), claims(), signers.rs256(attacker.privateKey)), 'the signature does not verify with the published key'],
  ])('%s', async (_name, build, fix) => {
    expect(await fixOf(build())).toContain(fix);
  });
});

describe('what it prints', () => {
  it.each(CASES)('for %s: neither rendering contains the token or a segment of it, even before the output scrub', async (_name, build) => {
    const token = build();
    const inspection = await inspect(token, false);
    for (const output of [inspectionText(inspection), inspectionJson(inspection)]) {
      for (const piece of [token, ...token.split('.')].filter((segment) => segment.length >= 16)) expect(output.includes(piece)).toBe(false);
    }
  });

  it('escapes the control characters a forger puts in claim names and values (no terminal escapes reach the screen)', async () => {
    const inspection = await inspect(entra(claims({ '\u001b[31mevil': '\u001b[2Jboom', aud: '\u001b]0;title\u0007' })), false);
    const text = inspectionText(inspection);
    // eslint-disable-next-line no-control-regex -- the point is to find control characters
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(text).toContain('\\u001b[2Jboom');
  });
});
