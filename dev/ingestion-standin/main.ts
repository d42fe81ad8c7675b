/**
 * CLI: runs the Application Insights ingestion stand-in until SIGINT/SIGTERM.
 *
 *   node dist-dev/dev/ingestion-standin/main.js [--port 7444] [--fault none|refused|reset|http-500|http-503|slow] [--slow-ms 10000] [--state-dir .dev-state] [--quiet]
 *
 * Prints one JSON line once listening: {url, connectionString, caPath}. Put the
 * connection string in APPLICATIONINSIGHTS_CONNECTION_STRING and caPath in
 * NODE_EXTRA_CA_CERTS of the app (local.settings.json Values), then watch what it
 * sends on stderr: one line per custom event or metric.
 */
import { parseArgs } from 'node:util';
import { defaultStateDir, ensureLocalTls } from 'azure-functions-entra-dev/toolkit';
import { IngestionStandin, type IngestionFault } from './ingestionStandin';
import { customEvents, customMetrics } from './trackPayload';

const FAULTS: readonly IngestionFault[] = ['none', 'refused', 'reset', 'http-500', 'http-503', 'slow'];
/** A fixed, obviously local instrumentation key. */
const DEV_INSTRUMENTATION_KEY = '00000000-0000-4000-8000-00000000dead';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.INGESTION_STANDIN_PORT ?? '7444' },
      fault: { type: 'string', default: 'none' },
      'slow-ms': { type: 'string', default: '10000' },
      'state-dir': { type: 'string', default: process.env.DEV_STATE_DIR ?? defaultStateDir() },
      quiet: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error('--port must be a port number (0 for any free port)');
  const fault = FAULTS.find((known) => known === values.fault);
  if (!fault) throw new Error(`--fault must be one of ${FAULTS.join(', ')}`);
  const slowMs = Number(values['slow-ms']);
  if (!(slowMs >= 0)) throw new Error('--slow-ms must be a number of milliseconds');

  const tls = await ensureLocalTls({ stateDir: values['state-dir'] });
  const log = (line: string) => {
    if (!values.quiet) process.stderr.write(`[ingestion] ${line}\n`);
  };
  const standin = await IngestionStandin.start({ certPem: tls.certPem, keyPem: tls.keyPem, port, slowMs, log });
  await standin.setFault(fault);
  process.stdout.write(`${JSON.stringify({ url: standin.url, connectionString: standin.connectionString(DEV_INSTRUMENTATION_KEY), caPath: tls.caPath })}\n`);

  let shown = 0;
  setInterval(() => {
    const fresh = standin.requests.slice(shown).flatMap((request) => request.envelopes);
    shown = standin.requests.length;
    for (const event of customEvents(fresh)) log(`event ${event.name} ${JSON.stringify(event.properties)}`);
    for (const metric of customMetrics(fresh)) log(`metric ${metric.name} count=${metric.count} sum=${metric.value} ${JSON.stringify(metric.properties)}`);
  }, 250).unref();

  const stop = () => void standin.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`[ingestion] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
