import { ROUTES } from '../lib/app/routeTable';
import { registerProtectedRoute } from '../packages/azure-functions-entra-auth/src/functions/registerRoute';
import { appRuntime } from '../lib/app/runtime';
import { createFulfilOrderHandler } from '../lib/orders/fulfilOrder';
import { createOrdersApi } from '../lib/orders/ordersApi';

const runtime = appRuntime();
const orders = createOrdersApi(runtime.orders);

registerProtectedRoute(ROUTES.orders, { GET: orders.list, POST: orders.create });
registerProtectedRoute(ROUTES.order, { GET: orders.get, PUT: orders.replace, DELETE: orders.remove });
registerProtectedRoute(ROUTES.tenantOrders, { GET: orders.list });
// Calls the fulfilment backend (FULFILMENT_URL) with a signed identity assertion instead of the caller's token.
registerProtectedRoute(ROUTES.fulfilOrder, { POST: createFulfilOrderHandler(runtime.orders, runtime.fulfilment) });
