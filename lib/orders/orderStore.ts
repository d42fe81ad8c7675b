import type { Order, OrderInput } from './order';

/**
 * Where orders live. Every operation is scoped by tenant: the store has no way to
 * read or change another tenant's orders, so a handler cannot get that wrong.
 */
export interface OrderStore {
  list(tenantId: string): Promise<readonly Order[]>;
  get(tenantId: string, id: string): Promise<Order | undefined>;
  create(tenantId: string, input: OrderInput, createdBy: Order['createdBy']): Promise<Order | OrderLimitReached>;
  replace(tenantId: string, id: string, input: OrderInput): Promise<Order | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** The store refuses to grow past its bound. */
export const ORDER_LIMIT_REACHED = Symbol('order limit reached');
export type OrderLimitReached = typeof ORDER_LIMIT_REACHED;
