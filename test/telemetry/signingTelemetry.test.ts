import { createSigningTelemetry } from '../../lib/telemetry/signingTelemetry';
import { RecordingSink } from '../../packages/azure-functions-entra-auth/test/support/recordingSink';

describe('signing telemetry', () => {
  it('turns a Key Vault signing failure into a SigningFailure event without the message', () => {
    const sink = new RecordingSink();
    const logged: string[] = [];
    createSigningTelemetry(sink, undefined, { onSigningFailure: (event) => logged.push(event.message) }).onSigningFailure?.({
        operation: 'sign',
        code: 'vault_throttled',
        status: 429,
        retryAfterSeconds: 17,
        keyVersion: '0123abcd',
      message: 'Key Vault answered 429',
    });
    expect(logged).toEqual(['Key Vault answered 429']);
    expect(sink.events).toEqual([
      { name: 'SigningFailure', properties: { operation: 'sign', code: 'vault_throttled', status: '429', retryAfterSeconds: '17', keyVersion: '0123abcd' } },
    ]);
  });
});
