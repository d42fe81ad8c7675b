import { randomUUID } from 'node:crypto';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { sdkServiceCodeOf, sdkStatusOf } from '../azure/sdkFailure';
import { ORDER_ID, type Order, type OrderInput } from './order';
import { PreconditionFailedError } from './orderErrors';
import type { OrderPage, OrderStore, StoredOrder } from './orderStore';
import { storeUnavailable } from './storeFailure';
import type { StoreHealth } from './storeHealth';
import { DEFAULT_STORE_LIMITS, type StoreLimits } from './storeLimits';

/** The calls this store makes; a TableClient has them all. */
export type OrdersTable = Pick<TableClient, 'createTable' | 'createEntity' | 'getEntity' | 'updateEntity' | 'deleteEntity' | 'listEntities'>;

export interface TableOrderStoreOptions {
  /** The table client, made on first use (so the SDK loads off the startup path). */
  readonly table: () => OrdersTable;
  readonly createTableIfMissing: boolean;
  readonly health: StoreHealth;
  readonly limits?: StoreLimits;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** One order as a table entity: PartitionKey is the tenant, RowKey the order ID. */
interface OrderEntity {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly item: string;
  readonly quantity: number;
  readonly note?: string;
  readonly createdByClientAppId: string;
  readonly createdByObjectId?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** PartitionKey (tenant ID) and RowKey (order ID): lower-case GUIDs only, the form of an order ID. */
const KEY = ORDER_ID;

const SELECT = ['PartitionKey', 'RowKey', 'item', 'quantity', 'note', 'createdByClientAppId', 'createdByObjectId', 'createdAt', 'updatedAt'];

/**
 * The table's ETags are weak in form (W/"datetime'…'") but change with every write of
 * the entity, which is all this API's JSON is made of: callers get them as strong ETags,
 * so If-Match works as RFC 9110 says (strong comparison). A W/ form sent back is taken too.
 */
const ETAG = /^(W\/)?"[^"\s]{1,256}"$/;
const httpEtag = (tableEtag: string) => tableEtag.replace(/^W\//, '');
const tableEtag = (ifMatch: string) => (ifMatch.startsWith('W/') ? ifMatch : `W/${ifMatch}`);

/**
 * Orders in an Azure Table (Azurite locally). Every call names the partition (the
 * caller's tenant), so no request runs a cross-partition query. Each operation has
 * one deadline across all its calls and retries; what fails within it becomes
 * StoreUnavailableError (503). A write resolves only after the store acknowledged it.
 */
export class TableOrderStore implements OrderStore {
  private readonly limits: StoreLimits;
  private readonly now: () => Date;
  private readonly newId: () => string;
  private client: OrdersTable | undefined;
  private tableReady: Promise<void> | undefined;

  constructor(private readonly options: TableOrderStoreOptions) {
    this.limits = options.limits ?? DEFAULT_STORE_LIMITS;
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
  }

  list(tenantId: string, page: { readonly top: number; readonly after: string | undefined }): Promise<OrderPage> {
    return this.run([tenantId, page.after], async (table, call) => {
      const partition = `PartitionKey eq ${quote(tenantId)}`;
      const filter = page.after === undefined ? partition : `${partition} and RowKey gt ${quote(page.after)}`;
      const orders: StoredOrder[] = [];
      let more = false;
      // One page is usually one answer; the service may also answer a short or empty page with a continuation.
      for await (const answer of table.listEntities<OrderEntity>({ ...call, queryOptions: { filter, select: SELECT } }).byPage({ maxPageSize: page.top })) {
        let left = false;
        for (const entity of answer) {
          if (orders.length < page.top) orders.push(stored(entity));
          else left = true;
        }
        // Entities left out of a full page come first on the next one (it resumes after the last ID returned).
        more = left || answer.continuationToken !== undefined;
        if (orders.length >= page.top || !more) break;
      }
      return { orders, lastId: more ? orders.at(-1)?.order.id : undefined };
    });
  }

  get(tenantId: string, id: string): Promise<StoredOrder | undefined> {
    return this.run([tenantId, id], async (table, call) => this.read(table, call, tenantId, id));
  }

  create(tenantId: string, input: OrderInput, createdBy: Order['createdBy']): Promise<StoredOrder> {
    return this.run([tenantId], async (table, call) => {
      const at = this.now().toISOString();
      const entity = toEntity(tenantId, this.newId(), input, createdBy, at, at);
      try {
        const answer = await table.createEntity(entity, call);
        return stored({ ...entity, etag: answer.etag ?? '' });
      } catch (error) {
        // A retried insert whose first attempt landed: the new ID is ours alone, so the stored entity is this write.
        if (sdkStatusOf(error) !== 409) throw error;
        const existing = await this.read(table, call, tenantId, entity.rowKey);
        if (!existing || existing.order.createdAt !== at) throw error;
        return existing;
      }
    });
  }

  replace(tenantId: string, id: string, input: OrderInput, ifMatch: string): Promise<StoredOrder | undefined> {
    return this.run([tenantId, id], async (table, call) => {
      const current = await this.read(table, call, tenantId, id);
      if (!current) return undefined;
      if (!ETAG.test(ifMatch) || current.etag !== httpEtag(ifMatch)) throw new PreconditionFailedError();
      const { order } = current;
      // A replacement: what the input leaves out (note) is cleared; who created it and when stay.
      const entity = toEntity(tenantId, id, input, order.createdBy, order.createdAt, this.now().toISOString());
      try {
        const answer = await table.updateEntity(entity, 'Replace', { ...call, etag: tableEtag(ifMatch) });
        return stored({ ...entity, etag: answer.etag ?? '' });
      } catch (error) {
        // Changed (412) or deleted (404) between the read and this write: the version the caller named is gone.
        if (sdkStatusOf(error) === 412 || (sdkStatusOf(error) === 404 && sdkServiceCodeOf(error) !== 'TableNotFound')) {
          throw new PreconditionFailedError({ cause: error });
        }
        throw error;
      }
    });
  }

  delete(tenantId: string, id: string, ifMatch: string | undefined): Promise<boolean> {
    return this.run([tenantId, id], async (table, call) => {
      if (ifMatch !== undefined && ifMatch !== '*' && !ETAG.test(ifMatch)) {
        if (!(await this.read(table, call, tenantId, id))) return false;
        throw new PreconditionFailedError();
      }
      try {
        await table.deleteEntity(tenantId, id, { ...call, etag: ifMatch === undefined || ifMatch === '*' ? '*' : tableEtag(ifMatch) });
        return true;
      } catch (error) {
        if (isEntityMissing(error)) return false;
        if (sdkStatusOf(error) === 412) throw new PreconditionFailedError({ cause: error });
        throw error;
      }
    });
  }

  private async read(table: OrdersTable, call: CallOptions, tenantId: string, id: string): Promise<StoredOrder | undefined> {
    try {
      return stored(await table.getEntity<OrderEntity>(tenantId, id, { ...call, queryOptions: { select: SELECT } }));
    } catch (error) {
      if (isEntityMissing(error)) return undefined;
      throw error;
    }
  }

  /** Runs one operation under its deadline, creating the table first where allowed, and reports the outcome to health. */
  private async run<T>(keys: readonly (string | undefined)[], operation: (table: OrdersTable, call: CallOptions) => Promise<T>): Promise<T> {
    // Keys reach the store (and its OData filter) only as lower-case GUIDs: anything else is a bug upstream.
    if (!keys.every((key) => key === undefined || KEY.test(key))) throw new TypeError('tenant and order IDs must be lower-case GUIDs');
    const deadline = AbortSignal.timeout(this.limits.deadlineMs);
    const call: CallOptions = { abortSignal: deadline, requestOptions: { timeout: this.limits.tryTimeoutMs } };
    try {
      const table = (this.client ??= this.options.table());
      await this.ensureTable(table, call);
      const result = await operation(table, call);
      this.options.health.answered();
      return result;
    } catch (error) {
      if (error instanceof PreconditionFailedError) {
        this.options.health.answered();
        throw error;
      }
      const failure = storeUnavailable(error, deadline);
      this.options.health.failed();
      // Outside Azure the table may have been removed (a wiped Azurite): make it again on the next call.
      if (failure.reason === 'table_missing') this.tableReady = undefined;
      throw failure;
    }
  }

  private ensureTable(table: OrdersTable, call: CallOptions): Promise<void> {
    if (!this.options.createTableIfMissing) return Promise.resolve();
    // Once per process when it works; a failure is forgotten so the next request tries again (no restart needed).
    this.tableReady ??= table.createTable(call).catch((error: unknown) => {
      this.tableReady = undefined;
      throw error;
    });
    return this.tableReady;
  }
}

interface CallOptions {
  readonly abortSignal: AbortSignal;
  readonly requestOptions: { readonly timeout: number };
}

/** A 404 for the entity, not for the table (which is a store fault: 503). */
function isEntityMissing(error: unknown): boolean {
  return sdkStatusOf(error) === 404 && sdkServiceCodeOf(error) !== 'TableNotFound';
}

/** An OData string literal. Keys are GUIDs validated before they get here; quotes are doubled all the same. */
function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function toEntity(tenantId: string, id: string, input: OrderInput, createdBy: Order['createdBy'], createdAt: string, updatedAt: string): OrderEntity {
  return {
    partitionKey: tenantId,
    rowKey: id,
    item: input.item,
    quantity: input.quantity,
    ...(input.note !== undefined && { note: input.note }),
    createdByClientAppId: createdBy.clientAppId,
    ...(createdBy.objectId !== undefined && { createdByObjectId: createdBy.objectId }),
    createdAt,
    updatedAt,
  };
}

function stored(entity: TableEntityResult<OrderEntity> | (OrderEntity & { etag: string })): StoredOrder {
  const order: Order = Object.freeze({
    id: entity.rowKey,
    tenantId: entity.partitionKey,
    item: entity.item,
    quantity: entity.quantity,
    ...(entity.note !== undefined && { note: entity.note }),
    createdBy: Object.freeze({ clientAppId: entity.createdByClientAppId, objectId: entity.createdByObjectId ?? undefined }),
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  });
  return Object.freeze({ order, etag: httpEtag(entity.etag) });
}
