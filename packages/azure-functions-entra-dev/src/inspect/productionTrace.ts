import { HttpRequest } from '@azure/functions';
import type { AuthSettings } from 'azure-functions-entra-auth';
import { REQUEST_FAILURES, Refusal } from 'azure-functions-entra-auth';
import { extractBearerToken } from 'azure-functions-entra-auth';
import { verifySignature } from 'azure-functions-entra-auth';
import {
  VERIFICATION_STEPS,
  createVerificationContext,
  verifiedToken,
  type KeyLookup,
  type VerificationContext,
  type VerificationStep,
  type VerificationStepName,
} from 'azure-functions-entra-auth';
import type { AuthorityRef } from 'azure-functions-entra-auth';
import type { VerifiedAccessToken } from 'azure-functions-entra-auth';

/** withAuth's header parsing, the token's decoding (createVerificationContext), then every production step by name. */
export type TracedStepName = 'bearer_header' | 'form' | VerificationStepName;

export type StepOutcome = 'pass' | 'fail' | 'skipped' | 'not reached';

export interface TracedStep {
  readonly name: TracedStepName;
  readonly description: string;
  readonly needsNetwork: boolean;
  readonly outcome: StepOutcome;
  /** What the step threw, for a failure: the production AuthError. */
  readonly error?: unknown;
}

export interface Trace {
  readonly steps: readonly TracedStep[];
  /** What the steps established, once the token decoded. */
  readonly context: VerificationContext | undefined;
  /** The verified token when no step failed (offline: built from the steps that ran). */
  readonly verified: VerifiedAccessToken | undefined;
}

export interface TraceOptions {
  readonly settings: AuthSettings;
  readonly keyStore: KeyLookup;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Skip the steps the production list marks needsNetwork, and give them no network at all. */
  readonly offline: boolean;
  /** The steps of the key source the token routes to (a B2C user flow has its own); default VERIFICATION_STEPS. */
  readonly steps?: readonly VerificationStep[];
  /** The configured authority of that key source, stamped on the verified token as production does. */
  readonly authority?: AuthorityRef;
}

const HEADER_DESCRIPTION = 'withAuth takes the token from Authorization: Bearer <token>, in RFC 6750 b64token characters';
const FORM_DESCRIPTION = 'a compact JWS of at most 16 KB: three canonical base64url segments, JSON objects without duplicate (or, at the top, case-variant) members';

/**
 * Runs the production verification, VERIFICATION_STEPS in their order, exactly as
 * verifyFully does (same context, same key store type, same signature check), but
 * records every step's outcome instead of stopping at the first throw. Nothing here
 * decides anything: a step passes when the production step returns.
 */
export async function traceVerification(token: string, options: TraceOptions): Promise<Trace> {
  const network = options.offline ? undefined : { keyStore: options.keyStore, verifySignature };
  const steps: TracedStep[] = [];
  const header = headerStep(token);
  steps.push(header);
  let context: VerificationContext | undefined;
  const form = { name: 'form', description: FORM_DESCRIPTION, needsNetwork: false } as const;
  if (header.outcome === 'fail') {
    steps.push({ ...form, outcome: 'not reached' });
  } else {
    try {
      context = createVerificationContext(token, {
        settings: options.settings,
        nowSeconds: options.now() / 1000,
        ...(network && { network }),
        ...(options.authority && { authority: options.authority }),
      });
      steps.push({ ...form, outcome: 'pass' });
    } catch (error) {
      steps.push({ ...form, outcome: 'fail', error });
    }
  }
  let failed = context === undefined;
  for (const step of options.steps ?? VERIFICATION_STEPS) {
    const base = { name: step.name, description: step.description, needsNetwork: step.needsNetwork };
    if (failed || !context) {
      steps.push({ ...base, outcome: 'not reached' });
    } else if (step.needsNetwork && options.offline) {
      steps.push({ ...base, outcome: 'skipped' });
    } else {
      try {
        await step.run(context);
        steps.push({ ...base, outcome: 'pass' });
      } catch (error) {
        failed = true;
        steps.push({ ...base, outcome: 'fail', error });
      }
    }
  }
  return { steps, context, verified: !failed && context ? verifiedOrUndefined(context) : undefined };
}

/**
 * The token as a client sends it, through withAuth's own extraction (lib/http/bearerToken.ts):
 * characters a header cannot carry are a 400 invalid_request there, before any verification.
 */
function headerStep(token: string): TracedStep {
  const base = { name: 'bearer_header', description: HEADER_DESCRIPTION, needsNetwork: false } as const;
  let request: HttpRequest;
  try {
    request = new HttpRequest({ method: 'GET', url: 'https://inspect.invalid/api/me', headers: { authorization: `Bearer ${token}` } });
  } catch (cause) {
    // Characters outside a header's byte strings: no client could even send it.
    return { ...base, outcome: 'fail', error: new Refusal(REQUEST_FAILURES.invalid_request, 'header.authorization', 'the token holds characters an HTTP header cannot carry', { cause }) };
  }
  const extracted = extractBearerToken(request);
  if (extracted.kind === 'token' && extracted.token === token) return { ...base, outcome: 'pass' };
  const refusal =
    extracted.kind === 'invalid_request'
      ? new Refusal(REQUEST_FAILURES.invalid_request, extracted.check, extracted.description)
      : new Refusal(REQUEST_FAILURES.invalid_request, 'header.authorization', 'the header does not carry this token as sent');
  return { ...base, outcome: 'fail', error: refusal };
}

function verifiedOrUndefined(context: VerificationContext): VerifiedAccessToken | undefined {
  try {
    return verifiedToken(context);
  } catch {
    return undefined;
  }
}
