import type { AuthSettings } from '../../lib/config/authSettings';
import { verifySignature } from '../../lib/verify/createAccessTokenVerifier';
import {
  VERIFICATION_STEPS,
  createVerificationContext,
  verifiedToken,
  type KeyLookup,
  type VerificationContext,
  type VerificationStepName,
} from '../../lib/verify/verificationSteps';
import type { VerifiedAccessToken } from '../../lib/verify/verifiedAccessToken';

/** The token's decoding (createVerificationContext), then every production step by name. */
export type TracedStepName = 'form' | VerificationStepName;

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
}

const FORM_DESCRIPTION = 'a compact JWS of at most 16 KB: three canonical base64url segments, JSON objects without duplicate members';

/**
 * Runs the production verification, VERIFICATION_STEPS in their order, exactly as
 * verifyFully does (same context, same key store type, same signature check), but
 * records every step's outcome instead of stopping at the first throw. Nothing here
 * decides anything: a step passes when the production step returns.
 */
export async function traceVerification(token: string, options: TraceOptions): Promise<Trace> {
  const network = options.offline ? undefined : { keyStore: options.keyStore, verifySignature };
  const steps: TracedStep[] = [];
  let context: VerificationContext | undefined;
  try {
    context = createVerificationContext(token, { settings: options.settings, nowSeconds: options.now() / 1000, ...(network && { network }) });
    steps.push({ name: 'form', description: FORM_DESCRIPTION, needsNetwork: false, outcome: 'pass' });
  } catch (error) {
    steps.push({ name: 'form', description: FORM_DESCRIPTION, needsNetwork: false, outcome: 'fail', error });
  }
  let failed = context === undefined;
  for (const step of VERIFICATION_STEPS) {
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

function verifiedOrUndefined(context: VerificationContext): VerifiedAccessToken | undefined {
  try {
    return verifiedToken(context);
  } catch {
    return undefined;
  }
}
