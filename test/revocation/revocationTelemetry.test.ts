import { changeEvent } from '../../lib/revocation/revocationChange';
import type { StoredRevocation } from '../../lib/revocation/revocationRequest';
import { createRevocationTelemetry } from '../../lib/telemetry/revocationTelemetry';
import { RecordingSink } from '../../packages/azure-functions-entra-auth/test/support/recordingSink';

const TENANT = 'de700000-0000-4000-8000-000000000001';
const AT = Date.UTC(2026, 11, 7, 12, 0, 0);

describe('revocation telemetry', () => {
  it('reports a created rule as a RevocationChanged event: who, what, when, and the host log line', () => {
    const sink = new RecordingSink();
    const logged: string[] = [];
    const rule: StoredRevocation = {
      id: '2f1d3c4b-0000-4000-8000-000000000001',
      kind: 'clientApp',
      tenantId: TENANT,
      clientAppId: 'de700000-0000-4000-8000-0000000c0002',
      issuedBefore: AT,
      expiresAt: AT + 3_600_000,
      reason: 'secret leaked',
      createdAt: AT,
      createdBy: { tenantId: TENANT, objectId: 'de700000-0000-4000-8000-0000000d00f1', clientAppId: 'de700000-0000-4000-8000-0000000c00f1', via: 'api' },
    };
    const events = createRevocationTelemetry(sink, undefined, { onRuleChanged: (event) => logged.push(event.ruleId) });
    events.onRuleChanged?.(changeEvent('created', rule, rule.createdBy, AT));
    expect(logged).toEqual([rule.id]);
    expect(sink.events).toEqual([
      {
        name: 'RevocationChanged',
        properties: {
          action: 'created',
          ruleId: rule.id,
          kind: 'clientApp',
          tenantId: TENANT,
          clientAppId: 'de700000-0000-4000-8000-0000000c0002',
          issuedBefore: '2026-12-07T12:00:00.000Z',
          expiresAt: '2026-12-07T13:00:00.000Z',
          reason: 'secret leaked',
          at: '2026-12-07T12:00:00.000Z',
          byTenantId: TENANT,
          byObjectId: 'de700000-0000-4000-8000-0000000d00f1',
          byClientAppId: 'de700000-0000-4000-8000-0000000c00f1',
          via: 'api',
        },
      },
    ]);
  });

  it('reports a failed refresh as a RevocationRefreshFailed event with the rules age', () => {
    const sink = new RecordingSink();
    createRevocationTelemetry(sink, undefined, {}).onRefreshFailed?.({ message: 'revocation store: reading the version row failed: HTTP 503', ageSeconds: 42 });
    expect(sink.events).toEqual([{ name: 'RevocationRefreshFailed', properties: { message: 'revocation store: reading the version row failed: HTTP 503', ageSeconds: '42' } }]);
  });

  it('never fails the change when the sink throws', () => {
    const throwing = { trackEvent: () => { throw new Error('ingestion down'); } } as unknown as RecordingSink;
    const reports: unknown[] = [];
    const events = createRevocationTelemetry(throwing, (diagnostic) => reports.push(diagnostic), {});
    expect(() => events.onRefreshFailed?.({ message: 'x' })).not.toThrow();
    expect(reports).toHaveLength(1);
  });
});
