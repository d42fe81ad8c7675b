import type { AppRuntime } from '../lib/app/runtime';
import { createFulfilOrderHandler } from '../lib/orders/fulfilOrder';
import { createOrdersApi } from '../lib/orders/ordersApi';

export function registerOrders({ auth, routes, orders: store, fulfilment }: AppRuntime): void {
  const orders = createOrdersApi(store);
  auth.registerRoute(routes.orders, { GET: orders.list, POST: orders.create });
  auth.registerRoute(routes.order, { GET: orders.get, PUT: orders.replace, DELETE: orders.remove });
  auth.registerRoute(routes.tenantOrders, { GET: orders.list });
  // Calls the fulfilment backend (FULFILMENT_URL) with a signed identity assertion instead of the caller's token.
  auth.registerRoute(routes.fulfilOrder, { POST: createFulfilOrderHandler(store, fulfilment) });
}
