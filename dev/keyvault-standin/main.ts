/**
 * CLI: runs the Key Vault stand-in until SIGINT/SIGTERM, holding one signing key.
 * Prints one JSON line on stdout once it listens (URL, key, CA path and the app
 * settings to use); the request log goes to stderr.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStateDir, ensureLocalTls } from 'azure-functions-entra-dev/toolkit';
import { startKeyVaultStandin } from './server';

const USAGE = `Usage: keyvault-standin [--port <n>] [--state-dir <dir>] [--key <name>] [--kty EC|RSA] [--openssl <path>] [--quiet]
  --port       HTTPS port on 127.0.0.1 (default 8443; 0 = any free port)
  --state-dir  where the dev TLS material lives (default <repo>/.dev-state, shared with the Entra stand-in)
  --key        the signing key created at start (default assertion-signing)
  --kty        EC (P-256, ES256; default) or RSA (2048 bits, RS256)
  --quiet      no request log on stderr
Any bearer token is accepted (the app's DefaultAzureCredential needs az login to get one).
Rotate:  POST  /keys/<key>/rotate?api-version=7.4
Disable: PATCH /keys/<key>/<version>?api-version=7.4  {"attributes":{"enabled":false}}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      port: { type: 'string' },
      'state-dir': { type: 'string' },
      key: { type: 'string' },
      kty: { type: 'string' },
      openssl: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = Number(values.port ?? '8443');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be a port number');
  const kty = (values.kty ?? 'EC').toUpperCase();
  if (kty !== 'EC' && kty !== 'RSA') throw new UsageError('--kty must be EC or RSA');
  const keyName = values.key ?? 'assertion-signing';
  const tls = await ensureLocalTls({ stateDir: resolve(values['state-dir'] ?? defaultStateDir()), openssl: values.openssl });
  const standin = await startKeyVaultStandin({
    tls,
    port,
    openssl: values.openssl,
    ...(!values.quiet && { log: (line: string) => process.stderr.write(`[keyvault-standin] ${line}\n`) }),
  });
  const key = await standin.createKey(keyName, kty === 'EC' ? { kty: 'EC', crv: 'P-256' } : { kty: 'RSA', keySize: 2048 });
  process.stdout.write(
    `${JSON.stringify({
      url: standin.url,
      keyName,
      version: key.version,
      caPath: tls.caPath,
      settings: { SIGNING_KEY_VAULT_URL: standin.url, SIGNING_KEY_NAME: keyName, NODE_EXTRA_CA_CERTS: tls.caPath },
    })}\n`,
  );
  const shutdown = () => {
    standin.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  process.stderr.write(`[keyvault-standin] ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof UsageError || (error as { code?: unknown }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') process.stderr.write(`${USAGE}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
