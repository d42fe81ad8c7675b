import type { Order, OrderInput } from './order';

/** An order with the version the store holds, for If-Match. */
export interface StoredOrder {
  readonly order: Order;
  /** The store's ETag, sent to callers as is. */
  readonly etag: string;
}

export interface OrderPage {
  readonly orders: readonly StoredOrder[];
  /** The last order ID of this page when more may follow; undefined on the last page. */
  readonly lastId: string | undefined;
}

/**
 * Where orders live. Every operation is scoped by tenant (the store's partition),
 * so a handler cannot read or change another tenant's orders. Failures are the
 * typed errors of orderErrors.ts: StoreUnavailableError when the store does not
 * answer, PreconditionFailedError when If-Match does not match.
 */
export interface OrderStore {
  /** Up to `top` orders in ID order, after the order ID `after` when given. */
  list(tenantId: string, page: { readonly top: number; readonly after: string | undefined }): Promise<OrderPage>;
  get(tenantId: string, id: string): Promise<StoredOrder | undefined>;
  /** Resolves once the store has the order. */
  create(tenantId: string, input: OrderInput, createdBy: Order['createdBy']): Promise<StoredOrder>;
  /** Replaces the order if its ETag is still `ifMatch`; undefined when there is no such order. */
  replace(tenantId: string, id: string, input: OrderInput, ifMatch: string): Promise<StoredOrder | undefined>;
  /** Deletes the order (only at version `ifMatch` when given); false when there is no such order. */
  delete(tenantId: string, id: string, ifMatch: string | undefined): Promise<boolean>;
}
