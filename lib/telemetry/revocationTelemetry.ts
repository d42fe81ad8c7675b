import { guarded, pick, type Report, type TelemetrySink } from 'azure-functions-entra-auth/app-insights';
import { consoleRevocationEvents, type RevocationEvents } from '../revocation/revocationEvents';

/** customEvents name of a rule created or deleted (docs/deploy.md queries it). */
export const REVOCATION_CHANGED_EVENT = 'RevocationChanged';
/** customEvents name of a failed refresh of the rules. */
export const REVOCATION_REFRESH_FAILED_EVENT = 'RevocationRefreshFailed';

/** Revocation changes and refresh failures as events on the auth telemetry's sink; `also` keeps the host log. */
export function createRevocationTelemetry(sink: TelemetrySink, report: Report = () => undefined, also: RevocationEvents = consoleRevocationEvents): RevocationEvents {
  return {
    onRuleChanged: guarded(report, (event) => {
      also.onRuleChanged?.(event);
      sink.trackEvent({
        name: REVOCATION_CHANGED_EVENT,
        properties: pick(event, ['action', 'ruleId', 'kind', 'tenantId', 'clientAppId', 'objectId', 'uti', 'issuedBefore', 'expiresAt', 'reason', 'at', 'byTenantId', 'byObjectId', 'byClientAppId', 'byOperator', 'via']),
      });
    }),
    onRefreshFailed: guarded(report, (event) => {
      also.onRefreshFailed?.(event);
      sink.trackEvent({ name: REVOCATION_REFRESH_FAILED_EVENT, properties: pick(event, ['message', 'ageSeconds']) });
    }),
  };
}
