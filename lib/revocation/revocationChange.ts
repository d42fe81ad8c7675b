import type { RevocationChangeEvent } from './revocationEvents';
import type { RevocationAuthor, StoredRevocation } from './revocationRequest';

/** The audit event of a change: the rule's facts and who changed it, when. */
export function changeEvent(action: RevocationChangeEvent['action'], rule: StoredRevocation, by: RevocationAuthor, at: number): RevocationChangeEvent {
  const issuedBefore = 'issuedBefore' in rule && rule.issuedBefore !== undefined ? new Date(rule.issuedBefore).toISOString() : undefined;
  return {
    action,
    ruleId: rule.id,
    kind: rule.kind,
    ...('tenantId' in rule && { tenantId: rule.tenantId }),
    ...(rule.kind === 'clientApp' && { clientAppId: rule.clientAppId }),
    ...(rule.kind === 'subject' && { objectId: rule.objectId }),
    ...(rule.kind === 'token' && { uti: rule.uti }),
    ...(issuedBefore !== undefined && { issuedBefore }),
    expiresAt: new Date(rule.expiresAt).toISOString(),
    reason: rule.reason,
    at: new Date(at).toISOString(),
    byTenantId: by.tenantId,
    ...(by.objectId !== undefined && { byObjectId: by.objectId }),
    ...(by.clientAppId !== undefined && { byClientAppId: by.clientAppId }),
    ...(by.operator !== undefined && { byOperator: by.operator }),
    via: by.via,
  };
}
