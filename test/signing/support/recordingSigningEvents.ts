import type { KeySetRefreshedEvent, SigningEvents, SigningFailureEvent } from '../../../lib/signing/signingEvents';

export class RecordingSigningEvents implements SigningEvents {
  readonly failures: SigningFailureEvent[] = [];
  readonly refreshed: KeySetRefreshedEvent[] = [];
  onSigningFailure(event: SigningFailureEvent): void {
    this.failures.push(event);
  }
  onKeySetRefreshed(event: KeySetRefreshedEvent): void {
    this.refreshed.push(event);
  }
}
