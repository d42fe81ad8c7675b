/**
 * CLI: prints an access token for a client app of the Entra stand-in's registry,
 * obtained through the stand-in's token endpoint, e.g.
 *   node packages/azure-functions-entra-dev/dist/token/main.js --client reader --api orders-api
 * Only the token goes to stdout, so `TOKEN=$(...)` works.
 */
import { CliUsageError, TOKEN_USAGE, parseTokenCliOptions } from '../standin/cliOptions';
import { obtainAccessToken, type ObtainedAccessToken } from '../standin/obtainAccessToken';

/** Which stand-in issued the token, so a token from the wrong one is never a mystery. */
function describeSource(token: ObtainedAccessToken, port: number, stateDir: string): string {
  const lines =
    token.standin !== undefined
      ? [`[token] from the running stand-in at ${token.url} (pid ${String(token.standin.pid)}, since ${token.standin.startedAt})`]
      : [
          `[token] no stand-in of ${stateDir} is running on port ${String(port)}: started one at ${token.url} just for this request.`,
          '[token] Its tokens verify against any stand-in of that state folder on that port (same keys and issuer): start one with entra-dev standin to call the app.',
        ];
  for (const other of token.others) lines.push(`[token] not used: the stand-in at ${other.url} (pid ${String(other.pid)}); --port ${String(other.port)} takes a token from it`);
  return lines.join('\n');
}

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
    shape: {
      ...(options.authority && { authority: options.authority }),
      ...(options.userScopes && { kind: 'delegated' as const, scopes: options.userScopes }),
      ...(options.userFlow !== undefined && { userFlow: options.userFlow }),
      ...(options.claims && { claims: options.claims }),
    },
  });
  process.stderr.write(`${describeSource(token, options.port, options.stateDir)}\n`);
  const whose = `${options.authority ?? 'workforce'} ${options.userScopes ? `user token (scp ${options.userScopes.join(' ')})` : 'app-only token'}`;
  process.stderr.write(`[token] ${options.client} → ${options.api ?? 'default API'}: ${whose}, expires in ${String(token.expiresIn)}s\n`);
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
