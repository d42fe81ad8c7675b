import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HttpHandler } from '@azure/functions';
import { startAzuriteTable } from '../../dev/azurite/azuriteTable';
import { appRoutes } from '../../lib/app/routeTable';
import { loadDeclaredPermissions } from '../../lib/app/permissions';

const ROUTES = appRoutes(loadDeclaredPermissions());
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { createOrderStore } from '../../lib/orders/createOrderStore';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import type { OrderStore } from '../../lib/orders/orderStore';
import { MemoryOrderStore } from '../../test/orders/support/memoryOrderStore';
import { startAuthFixture } from '../../packages/azure-functions-entra-auth/test/support/authFixture';
import { invokeHttp } from '../../packages/azure-functions-entra-auth/test/support/invokeHttp';
import type { Benchmark } from '../support/benchmark';
import { startLoadMeter } from '../support/machineLoad';
import { loadLine } from '../support/report';
import { quantile } from '../support/stats';
import { formatNumber, formatTable } from '../support/table';

/** Requests per case per round; the cases take turns round by round so a drift of the machine hits them alike. */
const ROUND = 20;

interface Case {
  readonly label: string;
  readonly run: () => Promise<number>;
  readonly ms: number[];
}

/**
 * POST and GET through the whole Orders API handler (withAuth with a cached token,
 * body validation, the store) against a real Azurite process, beside the in-process
 * floor: the same handler over an in-memory store (what the API costs without any
 * store I/O). A record for the README, not a gate.
 */
export const ordersStore: Benchmark = {
  name: 'orders-store',
  title: 'Orders API over Table Storage (Azurite on 127.0.0.1) beside the in-process floor, sequential requests',
  async run({ options, print }) {
    const dir = await mkdtemp(path.join(tmpdir(), 'bench-orders-'));
    const azurite = await startAzuriteTable({ location: dir });
    const auth = await startAuthFixture();
    try {
      const table = createOrderStore(loadOrdersSettings({ ORDERS_STORAGE: azurite.connectionString })).store;
      const token = await auth.token({ roles: ['Orders.ReadWrite'] });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const body = JSON.stringify({ item: 'widget', quantity: 2, note: 'benchmark' });

      const casesFor = (name: string, store: OrderStore): Case[] => {
        const api = createOrdersApi(store);
        const orders: HttpHandler = auth.routeHandler(ROUTES.orders, { GET: api.list, POST: api.create });
        const order: HttpHandler = auth.routeHandler(ROUTES.order, { GET: api.get, PUT: api.replace, DELETE: api.remove });
        const ids: string[] = [];
        const timed = async (call: () => Promise<{ status: number; body: unknown }>, expected: number) => {
          const started = performance.now();
          const result = await call();
          const ms = performance.now() - started;
          if (result.status !== expected) throw new Error(`${name}: HTTP ${result.status}, expected ${expected}`);
          return { ms, body: result.body };
        };
        return [
          {
            label: `POST /api/orders, ${name}`,
            ms: [],
            run: async () => {
              const { ms, body: created } = await timed(() => invokeHttp(orders, { method: 'POST', headers, body }), 201);
              ids.push((created as { id: string }).id);
              return ms;
            },
          },
          {
            label: `GET /api/orders/{id}, ${name}`,
            ms: [],
            run: async () => {
              const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
              return (await timed(() => invokeHttp(order, { route: 'orders/{id}', path: `orders/${id}`, params: { id }, headers }), 200)).ms;
            },
          },
        ];
      };
      const cases = [...casesFor('Azurite', table), ...casesFor('in-process floor', new MemoryOrderStore())];

      // Warm-up: JIT, the token cache, Azurite's table creation and connection pool; not recorded.
      for (const measured of cases) for (let i = 0; i < ROUND; i++) await measured.run();
      const meter = startLoadMeter();
      const deadline = performance.now() + options.secondsPerCase * 1000 * cases.length;
      let rounds = 0;
      while (rounds < 3 || performance.now() < deadline) {
        for (const measured of cases) for (let i = 0; i < ROUND; i++) measured.ms.push(await measured.run());
        rounds++;
      }
      const load = meter();
      for (const line of formatTable(
        ['case', 'p50 ms', 'p95 ms', 'max ms', 'requests'],
        cases.map(({ label, ms }) => [label, formatNumber(quantile(ms, 0.5), 2), formatNumber(quantile(ms, 0.95), 2), formatNumber(quantile(ms, 1), 2), formatNumber(ms.length)]),
      )) {
        print(line);
      }
      print();
      const p50 = (label: string) => quantile(cases.find((c) => c.label === label)?.ms ?? [], 0.5);
      for (const verb of ['POST /api/orders', 'GET /api/orders/{id}']) {
        print(`${verb}: the store round trip adds ${formatNumber(p50(`${verb}, Azurite`) - p50(`${verb}, in-process floor`), 2)} ms at p50 over the in-process floor`);
      }
      print(loadLine(load));
    } finally {
      await Promise.all([azurite.stop(), auth.stop()]);
      await rm(dir, { recursive: true, force: true });
    }
  },
};
