// SCAFFOLD, replaced by the authcore verification steps once merged: do not ship.
import type { AuthSettings, TokenVersion } from '../../lib/config/authSettings';
import { readAccessTokenClaims, type EntraAccessTokenClaims } from '../../lib/entra/accessTokenClaims';
import type { EntraKeyStore } from '../../lib/entra/entraKeyStore';
import type { SigningKey } from '../../lib/entra/signingKeys';
import { checkJoseHeader } from '../../lib/jwt/checkJoseHeader';
import { decodeCompactJwt, type DecodedJwt } from '../../lib/jwt/decodeCompactJwt';
import { checkAccessToken, checkAudience, checkClientApp, checkIssuer, checkLifetime, checkTenant, checkTokenVersion } from '../../lib/verify/tokenRules';
import type { VerifiedAccessToken } from '../../lib/verify/verifiedAccessToken';
import type { StepKind } from './explainStep';

export type StepOutcome = 'pass' | 'fail' | 'skipped' | 'not reached';

export interface TracedStep {
  readonly name: string;
  readonly kind: StepKind;
  readonly network: boolean;
  readonly outcome: StepOutcome;
  readonly error?: unknown;
}

export interface Trace {
  readonly steps: readonly TracedStep[];
  readonly verified: VerifiedAccessToken | undefined;
}

export interface TraceOptions {
  readonly settings: AuthSettings;
  readonly keyStore: EntraKeyStore;
  readonly now: () => number;
  readonly offline: boolean;
}

export async function traceVerification(token: string, options: TraceOptions): Promise<Trace> {
  const { settings, keyStore, now } = options;
  let decoded: DecodedJwt | undefined;
  let kid = '';
  let claims: EntraAccessTokenClaims | undefined;
  let version: TokenVersion = '2.0';
  let tenantId = '';
  let clientAppId = '';
  let key: SigningKey | undefined;
  const list: [string, StepKind, boolean, () => unknown][] = [
    ['form', 'form', false, () => (decoded = decodeCompactJwt(token))],
    ['header', 'header', false, () => (kid = checkJoseHeader(decoded!.header).kid)],
    ['claims', 'claims', false, () => (claims = readAccessTokenClaims(decoded!.payload))],
    ['version', 'version', false, () => (version = checkTokenVersion(claims!, settings))],
    ['audience', 'audience', false, () => checkAudience(decoded!.payload, decoded!.header, settings)],
    ['lifetime', 'lifetime', false, () => checkLifetime(claims!, now() / 1000, settings.clockSkewSeconds)],
    ['tenant', 'tenant', false, () => (tenantId = checkTenant(claims!, settings))],
    ['access token', 'accessToken', false, () => (clientAppId = checkAccessToken(claims!, version))],
    ['client app', 'clientApp', false, () => checkClientApp(clientAppId, version, settings)],
    ['issuer', 'issuer', true, async () => checkIssuer(claims!, (await keyStore.metadata(version)).issuer)],
    ['key', 'key', true, async () => (key = await keyStore.key(version, kid))],
    ['key issuer', 'keyIssuer', true, () => key?.issuer !== undefined && checkIssuer(claims!, key.issuer, 'key.issuer')],
    ['signature', 'signature', true, () => undefined],
  ];
  const steps: TracedStep[] = [];
  let failed = false;
  for (const [name, kind, network, run] of list) {
    if (failed) {
      steps.push({ name, kind, network, outcome: 'not reached' });
      continue;
    }
    if (network && options.offline) {
      steps.push({ name, kind, network, outcome: 'skipped' });
      continue;
    }
    try {
      await run();
      steps.push({ name, kind, network, outcome: 'pass' });
    } catch (error) {
      failed = true;
      steps.push({ name, kind, network, outcome: 'fail', error });
    }
  }
  return { steps, verified: failed || !claims ? undefined : { claims, version, tenantId, clientAppId, kid } };
}
