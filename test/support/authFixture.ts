import type { AuthFailureEvent, AuthObserver, AuthSuccessEvent } from '../../packages/azure-functions-entra-auth/src/functions/authEvents';
import { createWithAuth, type WithAuth } from '../../packages/azure-functions-entra-auth/src/functions/withAuth';
import { mintAccessToken, type TokenOptions } from './entraTokens';
import { startHarness, type Harness, type HarnessOptions } from './verifierHarness';

export const REALM = 'api://orders-api';

/** A recording observer: what withAuth reported, in order. */
export class RecordingObserver implements AuthObserver {
  readonly failures: AuthFailureEvent[] = [];
  readonly successes: AuthSuccessEvent[] = [];
  onFailure(event: AuthFailureEvent): void {
    this.failures.push(event);
  }
  onSuccess(event: AuthSuccessEvent): void {
    this.successes.push(event);
  }
}

export interface AuthFixture {
  readonly harness: Harness;
  readonly observer: RecordingObserver;
  readonly withAuth: WithAuth;
  /** A token signed by the harness key, with issuers pointing at the fake Entra. */
  token(options?: TokenOptions): Promise<string>;
  stop(): Promise<void>;
}

/** withAuth wired to a real verifier against a fake Entra on 127.0.0.1, with a recording observer. */
export async function startAuthFixture(options: HarnessOptions = {}): Promise<AuthFixture> {
  const harness = await startHarness(options);
  const observer = new RecordingObserver();
  const withAuth = createWithAuth({ verifier: harness.verifier, observer, realm: REALM });
  return {
    harness,
    observer,
    withAuth,
    token: (tokenOptions = {}) => mintAccessToken(harness.key, { instance: harness.server.url, ...tokenOptions }),
    stop: () => harness.stop(),
  };
}
