import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpHandler } from '@azure/functions';
import { startAzuriteTable, type AzuriteTable } from '../../../dev/azurite/azuriteTable';
import { appRoutes } from '../../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../../lib/app/permissions';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { loadOrdersSettings } from '../../../lib/config/ordersSettings';
import { createOrderStore, type OrderStoreDependencies, type OrdersBackend } from '../../../lib/orders/createOrderStore';
import { createOrdersApi } from '../../../lib/orders/ordersApi';
import { OTHER_TENANT, TENANT } from '../../../packages/azure-functions-entra-auth/test/support/entraTokens';
import { startAuthFixture, type AuthFixture } from '../../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp, type InvokeResult } from '../../../packages/azure-functions-entra-auth/test/support/invokeHttp';

/** The Orders API over the real Table Storage store, against a real Azurite process the test started. */
export interface OrdersScene {
  readonly auth: AuthFixture;
  readonly azurite: AzuriteTable;
  readonly backend: OrdersBackend;
  readonly orders: HttpHandler;
  readonly order: HttpHandler;
  readonly tenantOrders: HttpHandler;
  /** A token with Orders.ReadWrite for `tenant`. */
  writer(tenant?: string): Promise<string>;
  call(handler: HttpHandler, request: SceneRequest): Promise<InvokeResult>;
  /** Stops and starts Azurite again on the same port and data folder. */
  restartAzurite(): Promise<void>;
  stop(): Promise<void>;
}

export interface SceneRequest {
  readonly method?: string;
  readonly tenant?: string;
  readonly id?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

export async function startOrdersScene(options: { store?: OrderStoreDependencies; tableName?: string } = {}): Promise<OrdersScene> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'orders-azurite-'));
  let azurite = await startAzuriteTable({ location: dataDir });
  // A multi-tenant API serving two tenants, to prove they never see each other's orders.
  const auth = await startAuthFixture({ env: { AUTH_TENANT_ID: 'organizations', AUTH_ALLOWED_TENANTS: `${TENANT},${OTHER_TENANT}` } });
  const settings = loadOrdersSettings({ ORDERS_STORAGE: azurite.connectionString, ORDERS_TABLE_NAME: options.tableName ?? 'orders' });
  const backend = createOrderStore(settings, options.store);
  const api = createOrdersApi(backend.store);
  const scene: OrdersScene = {
    auth,
    get azurite() {
      return azurite;
    },
    backend,
    orders: auth.routeHandler(ROUTES.orders, { GET: api.list, POST: api.create }),
    order: auth.routeHandler(ROUTES.order, { GET: api.get, PUT: api.replace, DELETE: api.remove }),
    tenantOrders: auth.routeHandler(ROUTES.tenantOrders, { GET: api.list }),
    writer: (tenant = TENANT) => auth.token({ tenant, roles: ['Orders.ReadWrite'] }),
    async call(handler, request) {
      const tenant = request.tenant ?? TENANT;
      const isOrder = handler === scene.order;
      const isTenantRoute = handler === scene.tenantOrders;
      return invokeHttp(handler, {
        method: request.method ?? 'GET',
        route: isOrder ? 'orders/{id}' : isTenantRoute ? 'tenants/{tenantId}/orders' : 'orders',
        path: isOrder ? `orders/${request.id ?? ''}` : isTenantRoute ? `tenants/${tenant}/orders` : 'orders',
        ...(isOrder && { params: { id: request.id ?? '' } }),
        ...(isTenantRoute && { params: { tenantId: tenant }, functionName: 'tenantOrders' }),
        headers: {
          authorization: `Bearer ${await scene.writer(tenant)}`,
          ...(request.body !== undefined && { 'content-type': 'application/json' }),
          ...request.headers,
        },
        ...(request.query && { query: request.query }),
        ...(request.body !== undefined && { body: JSON.stringify(request.body) }),
      });
    },
    async restartAzurite() {
      await azurite.stop();
      azurite = await startAzuriteTable({ location: dataDir, port: azurite.port });
    },
    async stop() {
      await azurite.stop();
      await auth.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return scene;
}
