import { randomUUID } from 'node:crypto';
import type { Order, OrderInput } from './order';
import { ORDER_LIMIT_REACHED, type OrderLimitReached, type OrderStore } from './orderStore';

export interface InMemoryOrderStoreOptions {
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Bounds memory: orders kept per tenant. */
  readonly maxOrdersPerTenant?: number;
}

/**
 * A sample store for trying the API: per process, lost on restart, not shared
 * between instances. Replace it with a database-backed OrderStore for real use.
 */
export class InMemoryOrderStore implements OrderStore {
  private readonly tenants = new Map<string, Map<string, Order>>();
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly maxOrdersPerTenant: number;

  constructor(options: InMemoryOrderStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.maxOrdersPerTenant = options.maxOrdersPerTenant ?? 1_000;
  }

  list(tenantId: string): Promise<readonly Order[]> {
    return Promise.resolve([...(this.tenants.get(tenantId)?.values() ?? [])]);
  }

  get(tenantId: string, id: string): Promise<Order | undefined> {
    return Promise.resolve(this.tenants.get(tenantId)?.get(id));
  }

  create(tenantId: string, input: OrderInput, createdBy: Order['createdBy']): Promise<Order | OrderLimitReached> {
    let orders = this.tenants.get(tenantId);
    if (!orders) {
      orders = new Map();
      this.tenants.set(tenantId, orders);
    }
    if (orders.size >= this.maxOrdersPerTenant) return Promise.resolve(ORDER_LIMIT_REACHED);
    const at = this.now().toISOString();
    const order: Order = Object.freeze({ id: this.newId(), tenantId, ...input, createdBy, createdAt: at, updatedAt: at });
    orders.set(order.id, order);
    return Promise.resolve(order);
  }

  replace(tenantId: string, id: string, input: OrderInput): Promise<Order | undefined> {
    const orders = this.tenants.get(tenantId);
    const existing = orders?.get(id);
    if (!orders || !existing) return Promise.resolve(undefined);
    // A replacement: fields left out of the input (note) are cleared, not kept.
    const order: Order = Object.freeze({ ...existing, note: undefined, ...input, updatedAt: this.now().toISOString() });
    orders.set(id, order);
    return Promise.resolve(order);
  }

  delete(tenantId: string, id: string): Promise<boolean> {
    return Promise.resolve(this.tenants.get(tenantId)?.delete(id) ?? false);
  }
}
