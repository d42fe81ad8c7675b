import type { TableClient } from '@azure/data-tables';
import type { RevocationRead, RevocationSource } from 'azure-functions-entra-auth/revocation';
import { sdkServiceCodeOf, sdkStatusOf } from '../azure/sdkFailure';
import type { RevocationAuthor, StoredRevocation } from './revocationRequest';

/** The calls this store makes; a TableClient has them all. */
export type RevocationsTable = Pick<TableClient, 'createTable' | 'createEntity' | 'getEntity' | 'updateEntity' | 'deleteEntity' | 'listEntities'>;

/** What a write did beyond storing its rule. */
export interface AddOutcome {
  /** Expired rules deleted after the write. */
  readonly expiredDeleted: number;
  /** Why deleting expired rules stopped (they stay skipped on reads; the next write tries again). */
  readonly cleanupFailed?: string;
}

/** The store could not be read or written; the message names the operation, never a credential. */
export class RevocationStoreError extends Error {
  constructor(operation: string, options: { cause: unknown }) {
    super(`revocation store: ${operation} failed${describe(options.cause)}`, options);
    this.name = 'RevocationStoreError';
  }
}

/**
 * Deny rules in their own table beside the orders: one entity per rule (PartitionKey
 * "rule", RowKey the rule ID) and one version row (PartitionKey "version", RowKey
 * "current") that every write bumps after writing its rule. A refresh is then one point
 * read of the version row whose ETag is the version: only when it moved are the rules
 * listed. The rule is written before the bump, so a reader that sees the new version
 * always finds the rule. Expired rules are left out of reads, and each write deletes them
 * (no token they could match is still alive, so removing them changes no answer and needs
 * no version bump).
 */
export class TableRevocationStore implements RevocationSource {
  private tableReady: Promise<void> | undefined;

  constructor(
    private readonly table: () => RevocationsTable,
    private readonly options: { readonly createTableIfMissing: boolean; readonly now?: () => number },
  ) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  async read(knownVersion: string | undefined): Promise<RevocationRead> {
    const table = await this.ready();
    const version = await this.versionEtag(table);
    if (version === knownVersion) return { changed: false };
    return { changed: true, version, rules: await this.list() };
  }

  /** Every rule not yet expired. */
  async list(): Promise<StoredRevocation[]> {
    const table = await this.ready();
    const now = this.now;
    const rules: StoredRevocation[] = [];
    try {
      for await (const entity of table.listEntities<RuleEntity>({ queryOptions: { filter: `PartitionKey eq '${RULES}'` } })) {
        const rule = fromEntity(entity);
        // Not `expiresAt > now`: a malformed time (NaN) must reach the package, which refuses the set.
        if (!(rule.expiresAt <= now)) rules.push(rule);
      }
    } catch (cause) {
      throw new RevocationStoreError('listing the rules', { cause });
    }
    return rules;
  }

  async get(id: string): Promise<StoredRevocation | undefined> {
    const table = await this.ready();
    try {
      const rule = fromEntity(await table.getEntity<RuleEntity>(RULES, id));
      return rule.expiresAt > this.now ? rule : undefined;
    } catch (cause) {
      if (sdkStatusOf(cause) === 404) return undefined;
      throw new RevocationStoreError('reading a rule', { cause });
    }
  }

  /**
   * Stores the rule, then bumps the version so every instance reads it at its next refresh;
   * then deletes expired rules. The rule is acknowledged once the bump is: a failed clean-up
   * is reported in the outcome, never as a failed write.
   */
  async add(rule: StoredRevocation): Promise<AddOutcome> {
    const table = await this.ready();
    try {
      await table.createEntity(toEntity(rule));
    } catch (cause) {
      throw new RevocationStoreError('writing the rule', { cause });
    }
    await this.bumpVersion(table);
    return this.deleteExpired(table);
  }

  /** Deletes the rules past their expiry (a handful at most: one listing of the small rule partition). */
  private async deleteExpired(table: RevocationsTable): Promise<AddOutcome> {
    const now = this.now;
    let deleted = 0;
    try {
      const expired: string[] = [];
      for await (const entity of table.listEntities<RuleEntity>({ queryOptions: { filter: `PartitionKey eq '${RULES}'` } })) {
        // Only a well-formed past time: a malformed rule is left for the deny list to refuse, and for an operator.
        if (time(entity.expiresAtMs) <= now) expired.push(entity.rowKey);
      }
      for (const id of expired) {
        try {
          await table.deleteEntity(RULES, id);
          deleted++;
        } catch (cause) {
          if (sdkStatusOf(cause) !== 404) throw cause; // another writer deleted it first
        }
      }
      return { expiredDeleted: deleted };
    } catch (cause) {
      return { expiredDeleted: deleted, cleanupFailed: new RevocationStoreError('deleting expired rules', { cause }).message };
    }
  }

  /** Deletes the rule; false when there was none. */
  async remove(id: string): Promise<boolean> {
    const table = await this.ready();
    try {
      await table.deleteEntity(RULES, id);
    } catch (cause) {
      if (sdkStatusOf(cause) === 404) return false;
      throw new RevocationStoreError('deleting the rule', { cause });
    }
    await this.bumpVersion(table);
    return true;
  }

  private async versionEtag(table: RevocationsTable): Promise<string> {
    try {
      const entity = await table.getEntity(VERSION.partitionKey, VERSION.rowKey);
      return entity.etag;
    } catch (cause) {
      // No rule was ever written: the version of the empty table.
      if (sdkStatusOf(cause) === 404 && sdkServiceCodeOf(cause) !== 'TableNotFound') return NO_VERSION;
      if (sdkServiceCodeOf(cause) === 'TableNotFound') this.tableReady = undefined;
      throw new RevocationStoreError('reading the version row', { cause });
    }
  }

  /** The revision number, counted up under ETag concurrency: two writers never both write the same revision. */
  private async bumpVersion(table: RevocationsTable): Promise<void> {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        const current = await table.getEntity<{ revision?: number }>(VERSION.partitionKey, VERSION.rowKey);
        await table.updateEntity({ ...VERSION, revision: (current.revision ?? 0) + 1 }, 'Replace', { etag: current.etag });
        return;
      } catch (cause) {
        const status = sdkStatusOf(cause);
        if (status === 404) {
          try {
            await table.createEntity({ ...VERSION, revision: 1 });
            return;
          } catch (createCause) {
            if (sdkStatusOf(createCause) === 409) continue;
            throw new RevocationStoreError('creating the version row', { cause: createCause });
          }
        }
        if (status === 412) continue; // another writer bumped it first: read again
        throw new RevocationStoreError('bumping the version row', { cause });
      }
    }
    throw new RevocationStoreError('bumping the version row', { cause: new Error('too many concurrent writers') });
  }

  private async ready(): Promise<RevocationsTable> {
    const table = this.table();
    if (this.options.createTableIfMissing) {
      this.tableReady ??= table.createTable().catch((cause: unknown) => {
        this.tableReady = undefined;
        throw new RevocationStoreError('creating the table', { cause });
      });
      await this.tableReady;
    }
    return table;
  }
}

const RULES = 'rule';
const VERSION = { partitionKey: 'version', rowKey: 'current' } as const;
const NO_VERSION = 'none';

/** One rule as an entity: times in milliseconds since the epoch. */
interface RuleEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly kind: string;
  readonly tenantId?: string;
  readonly clientAppId?: string;
  readonly objectId?: string;
  readonly uti?: string;
  readonly issuedBeforeMs?: number;
  readonly expiresAtMs: number;
  readonly reason: string;
  readonly createdAtMs: number;
  readonly createdByTenantId: string;
  readonly createdByObjectId?: string;
  readonly createdByClientAppId?: string;
  readonly createdVia: string;
  readonly createdByOperator?: string;
}

function toEntity(rule: StoredRevocation): RuleEntity {
  const { createdBy } = rule;
  return withoutUndefined({
    partitionKey: RULES,
    rowKey: rule.id,
    kind: rule.kind,
    tenantId: 'tenantId' in rule ? rule.tenantId : undefined,
    clientAppId: rule.kind === 'clientApp' ? rule.clientAppId : undefined,
    objectId: rule.kind === 'subject' ? rule.objectId : undefined,
    uti: rule.kind === 'token' ? rule.uti : undefined,
    issuedBeforeMs: 'issuedBefore' in rule ? rule.issuedBefore : undefined,
    expiresAtMs: rule.expiresAt,
    reason: rule.reason,
    createdAtMs: rule.createdAt,
    createdByTenantId: createdBy.tenantId,
    createdByObjectId: createdBy.objectId,
    createdByClientAppId: createdBy.clientAppId,
    createdVia: createdBy.via,
    createdByOperator: createdBy.operator,
  }) as unknown as RuleEntity;
}

/**
 * A stored entity back as a rule. One that is not well-formed (hand-edited in the portal,
 * say) is returned as is for the package to refuse the whole rule set: a rule silently
 * dropped would let a revoked token through.
 */
function fromEntity(entity: RuleEntity): StoredRevocation {
  const createdBy: RevocationAuthor = {
    tenantId: entity.createdByTenantId,
    objectId: entity.createdByObjectId,
    clientAppId: entity.createdByClientAppId,
    via: entity.createdVia === 'cli' ? 'cli' : 'api',
    operator: entity.createdByOperator,
  };
  const meta = { id: entity.rowKey, expiresAt: time(entity.expiresAtMs), reason: entity.reason, createdAt: time(entity.createdAtMs), createdBy };
  const issuedBefore = entity.issuedBeforeMs === undefined ? undefined : time(entity.issuedBeforeMs);
  return { ...meta, kind: entity.kind, tenantId: entity.tenantId, clientAppId: entity.clientAppId, objectId: entity.objectId, uti: entity.uti, issuedBefore } as StoredRevocation;
}

/** A stored time; anything but a number (an entity edited by hand) is NaN, which the package refuses. */
function time(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function withoutUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined));
}

function describe(cause: unknown): string {
  const status = sdkStatusOf(cause);
  const code = sdkServiceCodeOf(cause);
  if (status !== undefined) return `: HTTP ${status}${code ? ` ${code}` : ''}`;
  return cause instanceof Error ? `: ${cause.message.slice(0, 200)}` : '';
}
