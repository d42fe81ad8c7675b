/**
 * CLI: runs the local Entra ID stand-in until SIGINT/SIGTERM. Prints one JSON line
 * on stdout once it listens ({url, tenantId, authority, caPath, ...}, the content of its
 * own record under <state>/entra-standin/running/) for parent processes; the request log goes to stderr.
 */
import { holderOf, portInUseMessage } from '../process/portInUse';
import { CliUsageError, STANDIN_USAGE, parseStandinCliOptions, type StandinCliOptions } from './cliOptions';
import { STANDIN_HOST, StandinStartError } from './server';
import { launchEntraStandin } from './standinState';

/** The port is taken: who holds it, and what to do, with no stack trace. */
async function portTaken(options: StandinCliOptions): Promise<string> {
  const holder = await holderOf(options.port);
  const advice =
    holder?.role === 'the Entra stand-in'
      ? 'A stand-in already runs there: use it (entra-dev token finds it), or stop it first.'
      : 'Stop it, or choose another port with --port <n> (0 = any free one); the app\'s AUTH_INSTANCE must then name that port, since v2 issuers contain it.';
  return `${portInUseMessage(`port ${String(options.port)}`, STANDIN_HOST, holder)}. ${advice}`;
}

async function main(): Promise<void> {
  const options = parseStandinCliOptions(process.argv.slice(2), process.env);
  if (options.help) {
    process.stdout.write(`${STANDIN_USAGE}\n`);
    return;
  }
  const launched = await launchEntraStandin({
    stateDir: options.stateDir,
    registryPath: options.registryPath,
    port: options.port,
    openssl: options.openssl,
    ...(!options.quiet && { log: (line: string) => process.stderr.write(`[entra-standin] ${line}\n`) }),
  }).catch(async (error: unknown) => {
    throw error instanceof StandinStartError && error.code === 'port_in_use' ? new Error(await portTaken(options), { cause: error }) : error;
  });
  process.stdout.write(`${JSON.stringify(launched.record)}\n`);

  const shutdown = (signal: NodeJS.Signals) => {
    process.stderr.write(`[entra-standin] ${signal}: stopping\n`);
    launched.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[entra-standin] stop failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof CliUsageError) {
    process.stderr.write(`${error.message}\n${STANDIN_USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`[entra-standin] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
