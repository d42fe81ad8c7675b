import { randomUUID } from 'node:crypto';
import type { Order, OrderInput } from '../../../lib/orders/order';
import { PreconditionFailedError } from '../../../lib/orders/orderErrors';
import type { OrderPage, OrderStore, StoredOrder } from '../../../lib/orders/orderStore';

/**
 * A test double for handlers whose tests are about something else (authorization,
 * fulfilment): the OrderStore contract in memory, with a counter as the ETag. It
 * lives under test/ so no setting or deployment can reach it; the Orders API itself
 * is tested against Azurite.
 */
export class MemoryOrderStore implements OrderStore {
  private readonly orders = new Map<string, StoredOrder>();
  private version = 0;

  list(tenantId: string, page: { readonly top: number; readonly after: string | undefined }): Promise<OrderPage> {
    const mine = [...this.orders.values()]
      .filter((entry) => entry.order.tenantId === tenantId && (page.after === undefined || entry.order.id > page.after))
      .sort((a, b) => (a.order.id < b.order.id ? -1 : 1));
    const orders = mine.slice(0, page.top);
    return Promise.resolve({ orders, lastId: mine.length > page.top ? orders.at(-1)?.order.id : undefined });
  }

  get(tenantId: string, id: string): Promise<StoredOrder | undefined> {
    return Promise.resolve(this.orders.get(`${tenantId}/${id}`));
  }

  create(tenantId: string, input: OrderInput, createdBy: Order['createdBy']): Promise<StoredOrder> {
    const at = new Date().toISOString();
    return Promise.resolve(this.put({ id: randomUUID(), tenantId, ...input, createdBy, createdAt: at, updatedAt: at }));
  }

  replace(tenantId: string, id: string, input: OrderInput, ifMatch: string): Promise<StoredOrder | undefined> {
    const current = this.orders.get(`${tenantId}/${id}`);
    if (!current) return Promise.resolve(undefined);
    if (current.etag !== ifMatch) return Promise.reject(new PreconditionFailedError());
    // A replacement: the note is cleared unless the input has one.
    return Promise.resolve(this.put({ ...current.order, note: undefined, ...input, updatedAt: new Date().toISOString() }));
  }

  delete(tenantId: string, id: string, ifMatch: string | undefined): Promise<boolean> {
    const current = this.orders.get(`${tenantId}/${id}`);
    if (!current) return Promise.resolve(false);
    if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== current.etag) return Promise.reject(new PreconditionFailedError());
    return Promise.resolve(this.orders.delete(`${tenantId}/${id}`));
  }

  private put(order: Order): StoredOrder {
    const entry = Object.freeze({ order: Object.freeze(order), etag: `W/"${++this.version}"` });
    this.orders.set(`${order.tenantId}/${order.id}`, entry);
    return entry;
  }
}
