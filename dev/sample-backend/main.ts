/**
 * CLI: runs the example backend that verifies the app's identity assertions.
 * Prints one JSON line on stdout once it listens ({url, fulfilUrl, settings}); one
 * line per call on stderr. An https key set signed by the dev CA needs
 * NODE_EXTRA_CA_CERTS pointing at <state-dir>/tls/ca.pem.
 */
import { parseArgs } from 'node:util';
import { startSampleBackend } from './sampleBackend';

const USAGE = `Usage: sample-backend [--port <n>] [--jwks-url <url>] [--issuer <url>] [--audience <aud>]
  --port      HTTP port on 127.0.0.1 (default 7081)
  --jwks-url  the app's key set (default http://localhost:7071/api/.well-known/jwks.json)
  --issuer    the app's SIGNING_ISSUER (default http://localhost:7071, the development issuer)
  --audience  this backend's identifier (default http://127.0.0.1:<port>, the origin of FULFILMENT_URL)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: 'string' },
      'jwks-url': { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port ?? '7081');
  if (!Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error('--port must be a port number');
  const backend = await startSampleBackend({
    port,
    jwksUrl: values['jwks-url'] ?? 'http://localhost:7071/api/.well-known/jwks.json',
    issuer: values.issuer ?? 'http://localhost:7071',
    audience: values.audience ?? `http://127.0.0.1:${port}`,
    log: (line) => process.stderr.write(`[sample-backend] ${line}\n`),
  });
  process.stdout.write(`${JSON.stringify({ url: backend.url, fulfilUrl: backend.fulfilUrl, settings: { FULFILMENT_URL: backend.fulfilUrl } })}\n`);
  const shutdown = () => {
    backend.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`[sample-backend] ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
});
