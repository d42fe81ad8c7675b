import { protectedHandler, type HandlersFor } from '../../lib/app/registerRoutes';
import { ROUTES, type ProtectedRoute } from '../../lib/app/routeTable';
import { createAppRuntime } from '../../lib/app/runtime';
import { createOrdersApi } from '../../lib/orders/ordersApi';
import { startAuthTelemetry } from '../../lib/telemetry/startAuthTelemetry';
import { startDevHost } from '../host/devHost';
import type { HttpFunctionRegistration } from '../host/functionsCore';

/**
 * Serves the app's protected routes in the dev host with auth telemetry wired as the
 * composition root wires it (startAuthTelemetry's observer and key-set hooks passed to
 * createAppRuntime), so the real Application Insights SDK can be watched against the
 * ingestion stand-in. The handlers are those of functions/ (me, orders). Settings come
 * from the environment (AUTH_*, APPLICATIONINSIGHTS_*, PORT); start it with
 * NODE_EXTRA_CA_CERTS naming the CA that signed the stand-in's certificate.
 *
 * stdout: one JSON line `{"devHost": url}` once listening.
 * stderr: JSON lines `{"log": line}` (dev host and invocation log), `{"telemetry": diagnostic}`, `{"unhandledRejection": message}`,
 * `{"uncaughtException": message}`, for the parent to check.
 * SIGTERM flushes telemetry (bounded) and then ends the process by that signal.
 */
const report = (record: object) => void process.stderr.write(`${JSON.stringify(record)}\n`);
process.on('unhandledRejection', (reason) => {
  report({ unhandledRejection: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason) });
});
process.on('uncaughtException', (error) => {
  report({ uncaughtException: `${error.name}: ${error.message}` });
  process.exit(70);
});

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number');
  const telemetry = startAuthTelemetry(process.env, {
    process,
    onDiagnostic: (diagnostic) => {
      report({ telemetry: diagnostic });
    },
  });
  const runtime = createAppRuntime(process.env, telemetry);
  const orders = createOrdersApi(runtime.orders);
  const register = <R extends ProtectedRoute>(entry: R, handlers: HandlersFor<R>): HttpFunctionRegistration => ({
    name: entry.name,
    route: entry.route,
    methods: Object.keys(entry.policy),
    authLevel: 'anonymous',
    handler: protectedHandler(runtime.withAuth, entry, handlers),
  });
  const functions = [
    register(ROUTES.me, { GET: (_request, _context, principal) => ({ status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: principal }) }),
    register(ROUTES.orders, { GET: orders.list, POST: orders.create }),
    register(ROUTES.order, { GET: orders.get, PUT: orders.replace, DELETE: orders.remove }),
    register(ROUTES.tenantOrders, { GET: orders.list }),
  ];
  const host = await startDevHost({ functions, routePrefix: 'api', port, log: (line) => {
      report({ log: line });
    },
  });
  process.stdout.write(`${JSON.stringify({ devHost: host.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
