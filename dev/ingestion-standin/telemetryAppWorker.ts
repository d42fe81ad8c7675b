import path from 'node:path';
import { format } from 'node:util';
import { startDevHost, loadFunctionApp, startFunctionApp } from 'azure-functions-entra-dev/host';

/**
 * Serves a built function app in the dev host, loaded as the Functions worker loads it
 * (package.json "main", then the appStart hooks), so that the real Application Insights
 * SDK inside it can be watched against the ingestion stand-in:
 *
 *   node dist-dev/dev/ingestion-standin/telemetryAppWorker.js [app-root]
 *
 * app-root is the repository (the tsc build in dist/) by default, or the folder
 * `npm run package` made (the bundle that ships). Settings come from the environment
 * (AUTH_*, APPLICATIONINSIGHTS_*, PORT); start it with NODE_EXTRA_CA_CERTS naming the
 * CA that signed the stand-in's certificate.
 *
 * stdout: one JSON line `{"devHost": url}` once listening.
 * stderr: JSON lines `{"log": line}` (dev host, invocation and console logs), `{"telemetry": diagnostic}`
 * (read back from the app's `[auth-telemetry]` console lines), `{"unhandledRejection": message}`,
 * `{"uncaughtException": message}`, for the parent to check.
 * SIGTERM runs the app's appTerminate hooks (as the worker does on shutdown: this flushes
 * telemetry, bounded) and then ends the process by that signal.
 */
const report = (record: object) => void process.stderr.write(`${JSON.stringify(record)}\n`);
process.on('unhandledRejection', (reason) => {
  report({ unhandledRejection: reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason) });
});
process.on('uncaughtException', (error) => {
  report({ uncaughtException: `${error.name}: ${error.message}` });
  process.exit(70);
});

/** `[auth-telemetry] <text> {json}`: the app's diagnostic line, whose JSON tail is the diagnostic itself. */
const DIAGNOSTIC = /^\[auth-telemetry\] .*? (\{.*\})$/;

function captureConsole(): void {
  const write = (...args: unknown[]) => {
    const line = format(...args);
    const diagnostic = DIAGNOSTIC.exec(line)?.[1];
    if (diagnostic !== undefined) report({ telemetry: JSON.parse(diagnostic) as unknown });
    else report({ log: line });
  };
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) console[method] = write;
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('PORT must be a port number');
  const appRoot = path.resolve(process.argv[2] ?? path.resolve(__dirname, '..', '..', '..'));
  captureConsole();
  const app = loadFunctionApp(appRoot);
  await startFunctionApp(app);
  const host = await startDevHost({
    functions: app.functions,
    routePrefix: app.routePrefix,
    port,
    log: (line) => {
      report({ log: line });
    },
  });
  process.once('SIGTERM', () => {
    void Promise.allSettled(app.terminateHooks.map((hook) => Promise.resolve().then(() => hook({ hookData: {} }))))
      .then(() => host.stop())
      .then(() => process.kill(process.pid, 'SIGTERM'));
  });
  process.stdout.write(`${JSON.stringify({ devHost: host.url })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
