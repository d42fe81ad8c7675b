import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_STANDIN_PORT, defaultRegistryPath, defaultStateDir } from './devPaths';

/** Bad command-line input; the CLIs print the message and the usage, and exit 2. */
export class CliUsageError extends Error {
  readonly code = 'cli_usage';

  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

const port = z
  .string()
  .regex(/^\d{1,5}$/, { error: 'must be a port number (0 for any free port)' })
  .transform(Number)
  .pipe(z.number().max(65_535, { error: 'must be at most 65535' }));

export interface CommonOptions {
  readonly port: number;
  readonly stateDir: string;
  readonly registryPath: string;
  readonly openssl: string | undefined;
}

export interface StandinCliOptions extends CommonOptions {
  readonly quiet: boolean;
  readonly help: boolean;
}

export interface TokenCliOptions extends CommonOptions {
  readonly client: string;
  readonly api: string | undefined;
  readonly help: boolean;
}

export const STANDIN_USAGE = `Usage: entra-dev standin [--port <n>] [--state-dir <dir>] [--registry <file>] [--openssl <path>] [--quiet]
  --port       HTTPS port on 127.0.0.1 (default ${DEFAULT_STANDIN_PORT}, env ENTRA_STANDIN_PORT; 0 = any free port)
  --state-dir  TLS material, signing keys, running stand-ins' records (default <app>/.dev-state, env DEV_STATE_DIR)
  --registry   the app's registrations (default <app>/local.entra.json, env ENTRA_STANDIN_REGISTRY;
               write one with: entra-dev registrations --permissions <file>)
  --openssl    the openssl executable (default: openssl on PATH)
  --quiet      no request log on stderr`;

export const TOKEN_USAGE = `Usage: entra-dev token --client <name> [--api <name>] [--state-dir <dir>] [--registry <file>] [--port <n>]
  Prints an access token for a registered client, from the stand-in of <state-dir> running
  on --port (default ${DEFAULT_STANDIN_PORT}, env ENTRA_STANDIN_PORT), or from one started there just for this request.`;

const COMMON = {
  port: { type: 'string' },
  'state-dir': { type: 'string' },
  registry: { type: 'string' },
  openssl: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseStandinCliOptions(argv: readonly string[], env: Environment): StandinCliOptions {
  const values = usage(() => parseArgs({ args: [...argv], options: { ...COMMON, quiet: { type: 'boolean' } }, strict: true, allowPositionals: false }).values);
  return { ...common(values, env), quiet: values.quiet === true, help: values.help === true };
}

export function parseTokenCliOptions(argv: readonly string[], env: Environment): TokenCliOptions {
  const values = usage(
    () => parseArgs({ args: [...argv], options: { ...COMMON, client: { type: 'string' }, api: { type: 'string' } }, strict: true, allowPositionals: false }).values,
  );
  const help = values.help === true;
  if (!help && (values.client === undefined || values.client === '')) throw new CliUsageError('--client <name> is required');
  return { ...common(values, env), client: values.client ?? '', api: values.api, help };
}

type ParsedValues = Readonly<Record<string, string | boolean | undefined>>;

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
}

function common(values: ParsedValues, env: Environment): CommonOptions {
  const text = (value: string | boolean | undefined) => (typeof value === 'string' && value !== '' ? value : undefined);
  const rawPort = text(values.port) ?? text(env.ENTRA_STANDIN_PORT);
  const parsedPort = port.safeParse(rawPort ?? String(DEFAULT_STANDIN_PORT));
  if (!parsedPort.success) throw new CliUsageError(`--port ${parsedPort.error.issues[0]?.message ?? 'is invalid'}`);
  return {
    port: parsedPort.data,
    stateDir: resolve(text(values['state-dir']) ?? text(env.DEV_STATE_DIR) ?? defaultStateDir()),
    registryPath: resolve(text(values.registry) ?? text(env.ENTRA_STANDIN_REGISTRY) ?? defaultRegistryPath()),
    openssl: text(values.openssl),
  };
}
