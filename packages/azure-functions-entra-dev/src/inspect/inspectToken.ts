import { principalFrom } from 'azure-functions-entra-auth';
import type { AuthSettings } from 'azure-functions-entra-auth';
import { createNodeHttpFetch, decodeCompactJwt, keyStoreFor, keyStoreForSource, resolveKeySource, type ResolvedKeySource } from 'azure-functions-entra-auth';
import { AuthError, KeysUnavailableError, safeLogValue } from 'azure-functions-entra-auth';
import { REQUEST_FAILURES } from 'azure-functions-entra-auth';
import { Refusal } from 'azure-functions-entra-auth';
import type { DecodedJwt } from 'azure-functions-entra-auth';
import type { FetchLike } from 'azure-functions-entra-auth';
import { claimsView } from './claimsView';
import { expectedFound, type KeyFacts } from './explainStep';
import { fixFor, type ExplainContext } from './explainFailure';
import type { CheckRow, Inspection, Verdict } from './inspection';
import { traceVerification, type Trace, type TracedStep } from './productionTrace';
import type { AppDescription } from './appDescription';
import { routeTableFor } from './routeAccess';
import type { TokenIntake } from './tokenIntake';

export interface InspectTokenOptions {
  readonly settings: AuthSettings;
  /** Where the settings came from, for the report. */
  readonly settingsOrigin: string;
  /** Make no network call: the steps that need the discovery document or key set are skipped. */
  readonly offline: boolean;
  readonly showClaims: boolean;
  /** How the key store fetches the discovery document and key set; default: the key store's (the auth package's createNodeHttpFetch). */
  readonly fetch?: FetchLike;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** The app's routes and what each enforces; without them only the token is checked. */
  readonly app?: AppDescription;
}

const HEADER_FIX = 'the token holds characters an Authorization header cannot carry as one Bearer token (spaces, commas, quotes...): copy the access token again, whole';

/** Offline, nothing may reach the network; a step that tried would fail loudly rather than fetch. */
const NO_NETWORK: FetchLike = () => Promise.reject(new Error('--offline: no network call is made'));

/**
 * Runs the production verification steps, in production order, over the token and
 * explains each. Every pass or fail below is what the production step decided; the
 * expected/found wording and the fixes are presentation only.
 */
export async function inspectToken(token: string, options: InspectTokenOptions): Promise<Inspection> {
  const now = options.now ?? Date.now;
  const facts: KeyFacts = {};
  const events = {
    onKeySetRefreshed: (event: { url: string; kids: readonly string[] }) => {
      facts.jwksUrl = event.url;
      facts.publishedKids = event.kids;
    },
  };
  const fetch = options.offline ? NO_NETWORK : options.fetch;
  // Several authorities: the token's key source, as the verifier routes it by its exact iss (and B2C user flow).
  const routed = routeToKeySource(token, options.settings);
  const settings = routed && 'source' in routed ? routed.settings : options.settings;
  // The production key store for that source (or the one configured authority), as the verifier builds it.
  const keyStore =
    routed && 'source' in routed
      ? keyStoreForSource(routed.source, { fetch: fetch ?? createNodeHttpFetch(), now, events })
      : keyStoreFor(settings, { ...(fetch && { fetch }), now, events });
  const trace = await traceVerification(token, {
    settings,
    keyStore,
    now,
    offline: options.offline,
    ...(routed && 'source' in routed && { steps: routed.steps, authority: { name: routed.source.authority.name, kind: routed.source.authority.kind } }),
  });
  const authorityNotes =
    routed === undefined
      ? []
      : 'source' in routed
        ? [`authority: ${routed.source.authority.name} (${routed.source.authority.kind}), key source ${routed.source.id}, chosen by the token's exact iss`]
        : [`authority: none: ${routed.problem}; the configured authorities are ${options.settings.authorities.map((a) => a.name).join(', ')}`];
  // The production decoding, as the steps ran on it; undefined when the token did not decode (the form step says why).
  const decoded = trace.context && { header: trace.context.header, payload: trace.context.payload };
  const context: ExplainContext = { settings, header: decoded?.header, payload: decoded?.payload, nowSeconds: now() / 1000 };
  readKeyFacts(trace, facts);

  const checks = trace.steps.map((step) => rowFor(step, context, token, facts));
  const failed = trace.steps.find((step) => step.outcome === 'fail');
  const verdict: Verdict = failed ? 'refused' : trace.steps.some((step) => step.outcome === 'skipped') ? 'passed-offline' : 'accepted';
  const passed = verdict !== 'refused' ? trace.verified : undefined;
  return {
    verdict,
    answer: failed ? answerFor(failed.error) : verdict === 'accepted' ? 'the token verifies; each route decides below' : 'run without --offline to check the signature',
    settings: options.settingsOrigin,
    checks,
    ...(decoded && { token: tokenIds(decoded), claims: claimsView(decoded.payload, options.showClaims) }),
    ...(passed && options.app && { routes: routeTableFor(principalFrom(passed), options.app) }),
    notes: [...authorityNotes, ...(options.offline ? ['--offline: no network call was made; the checks that need the discovery document or key set were skipped'] : [])],
  };
}

/**
 * With several authorities configured, the key source the token's payload routes to (or
 * why none); undefined for the single-authority form, or input that does not decode
 * (the form step says why).
 */
function routeToKeySource(token: string, settings: AuthSettings): ResolvedKeySource | { readonly problem: string } | undefined {
  const [first] = settings.authorities;
  if (settings.authorities.length === 1 && first?.kind === 'workforce' && first.allowedClientApps === undefined) return undefined;
  try {
    return resolveKeySource(settings, decodeCompactJwt(token).payload);
  } catch {
    return undefined;
  }
}

/** The inspection of input that never became a token string. */
export function refusedAtIntake(intake: Extract<TokenIntake, { ok: false }>, settingsOrigin: string): Inspection {
  return {
    verdict: 'refused',
    answer: 'not a token: withAuth answers 400 invalid_request or 401 invalid_token',
    settings: settingsOrigin,
    checks: [{ name: 'input', status: 'fail', check: intake.check, code: 'not_a_token', message: intake.reason, fix: intake.fix }],
    notes: ['the verifier was not run: the input is not a token string'],
  };
}

function rowFor(step: TracedStep, context: ExplainContext, token: string, facts: KeyFacts): CheckRow {
  return { ...rowWithoutDescription(step, context, token, facts), description: step.description };
}

function rowWithoutDescription(step: TracedStep, context: ExplainContext, token: string, facts: KeyFacts): CheckRow {
  switch (step.outcome) {
    case 'not reached':
      return { name: step.name, status: 'not reached', note: 'an earlier check failed' };
    case 'skipped':
      return { name: step.name, status: 'skipped', note: '--offline (needs the discovery document or key set)', ...expectedFound(step.name, context, token, facts) };
    case 'pass':
      return { name: step.name, status: 'pass', ...expectedFound(step.name, context, token, facts), ...(step.name === 'signature' && { found: 'valid' }) };
    case 'fail': {
      const { error } = step;
      const shown = step.name === 'form' || context.payload !== undefined ? expectedFound(step.name, context, token, facts) : {};
      if (error instanceof Refusal) {
        return { name: step.name, status: 'fail', check: error.check, code: error.code, message: error.message, ...shown, fix: HEADER_FIX };
      }
      if (!(error instanceof AuthError)) {
        return { name: step.name, status: 'fail', check: 'verifier', code: 'internal_error', message: 'unexpected verifier failure (withAuth answers 500)', ...shown };
      }
      return {
        name: step.name,
        status: 'fail',
        check: error.check,
        code: error.code,
        message: error.message,
        ...shown,
        ...(step.name === 'signature' && { found: 'does not verify' }),
        fix: fixFor(error, context),
      };
    }
  }
}

/** The status and challenge come from the production failure model, as withAuth answers them. */
function answerFor(error: unknown): string {
  if (error instanceof Refusal) return `withAuth answers ${error.http.status} ${error.code}: ${error.check}`;
  if (!(error instanceof AuthError)) return `withAuth answers ${REQUEST_FAILURES.internal_error.status} internal_error: the verifier failed unexpectedly`;
  const { status, challenge } = error.http;
  const retry = error instanceof KeysUnavailableError ? ` (Retry-After: ${error.retryAfterSeconds}; not the caller's fault)` : '';
  return `withAuth answers ${status}${challenge === 'none' ? '' : ` ${challenge}`}: ${error.code} at ${error.check}${retry}`;
}

/** What the network steps established (the metadata issuer, the key's issuer), for display. */
function readKeyFacts(trace: Trace, facts: KeyFacts): void {
  const established = trace.context?.established;
  if (established?.metadataIssuer !== undefined) facts.metadataIssuer = established.metadataIssuer;
  // For a v1 token, the issuer the v2 key set names for its key (established by key_issuer, even when that step refused).
  if (established?.key) facts.keyIssuer = established.keyIssuer ?? established.key.issuer ?? null;
}

function tokenIds(decoded: DecodedJwt): Record<string, string> {
  const { header, payload } = decoded;
  const ids: Record<string, unknown> = { ver: payload.ver, tid: payload.tid, oid: payload.oid, azp: payload.azp, appid: payload.appid, idtyp: payload.idtyp, kid: header.kid };
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(ids)) {
    const safe = safeLogValue(value);
    if (safe !== undefined) shown[name] = safe;
  }
  return shown;
}
