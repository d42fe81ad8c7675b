/** A rule created or deleted: who, what, when. Never a token (a `uti` identifies one and cannot be replayed). */
export interface RevocationChangeEvent {
  readonly action: 'created' | 'deleted';
  readonly ruleId: string;
  readonly kind?: string;
  readonly tenantId?: string;
  readonly clientAppId?: string;
  readonly objectId?: string;
  readonly uti?: string;
  /** ISO 8601. */
  readonly issuedBefore?: string;
  readonly expiresAt?: string;
  readonly reason?: string;
  /** When the change was made, ISO 8601. */
  readonly at: string;
  readonly byTenantId: string;
  readonly byObjectId?: string;
  readonly byClientAppId?: string;
  /** The CLI's operator, as they named themselves. */
  readonly byOperator?: string;
  /** The admin API or the operators' CLI. */
  readonly via: 'api' | 'cli';
}

/** A refresh of the rules failed; the last rules keep applying within the staleness bound. */
export interface RevocationRefreshFailedEvent {
  readonly message: string;
  /** Seconds since the rules were last read; absent when they never were. */
  readonly ageSeconds?: number;
}

/** Where revocation reports what operators need to see. Implementations must be fast; a throw is ignored. */
export interface RevocationEvents {
  onRuleChanged?(event: RevocationChangeEvent): void;
  onRefreshFailed?(event: RevocationRefreshFailedEvent): void;
}

/** Used without Application Insights: one line each, in the host log. */
export const consoleRevocationEvents: RevocationEvents = {
  onRuleChanged(event) {
    console.info(`RevocationChanged ${JSON.stringify(event)}`);
  },
  onRefreshFailed(event) {
    console.warn(`RevocationRefreshFailed (rules ${event.ageSeconds === undefined ? 'never read' : `${event.ageSeconds} s old`}): ${event.message}`);
  },
};
