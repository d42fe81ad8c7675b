/**
 * CLI: prints an access token for a client app of the Entra stand-in's registry,
 * obtained through the stand-in's token endpoint, e.g.
 *   node dist-dev/dev/scripts/token.js --client reader --api orders-api
 * Only the token goes to stdout, so `TOKEN=$(...)` works.
 */
import { CliUsageError, TOKEN_USAGE, parseTokenCliOptions } from '../entra-standin/cliOptions';
import { obtainAccessToken } from '../entra-standin/obtainAccessToken';

async function main(): Promise<void> {
  const options = parseTokenCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${TOKEN_USAGE}\n`);
    return;
  }
  const token = await obtainAccessToken({
    stateDir: options.stateDir,
    clientName: options.client,
    apiName: options.api,
    registryPath: options.registryPath,
    port: options.port,
    openssl: options.openssl,
  });
  process.stderr.write(`[token] ${options.client} → ${options.api ?? 'default API'}, expires in ${token.expiresIn}s (${token.via === 'running' ? 'running stand-in' : 'stand-in started for this request'} at ${token.url})\n`);
  process.stdout.write(`${token.accessToken}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof CliUsageError) {
    process.stderr.write(`${error.message}\n${TOKEN_USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`[token] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
