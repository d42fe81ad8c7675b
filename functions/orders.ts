import { ROUTES } from '../lib/app/routeTable';
import { registerProtectedRoute } from '../lib/app/registerRoutes';
import { appRuntime } from '../lib/app/runtime';
import { createOrdersApi } from '../lib/orders/ordersApi';

const orders = createOrdersApi(appRuntime().orders);

registerProtectedRoute(ROUTES.orders, { GET: orders.list, POST: orders.create });
registerProtectedRoute(ROUTES.order, { GET: orders.get, PUT: orders.replace, DELETE: orders.remove });
registerProtectedRoute(ROUTES.tenantOrders, { GET: orders.list });
