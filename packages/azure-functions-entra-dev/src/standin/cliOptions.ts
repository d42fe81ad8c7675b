import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_STANDIN_PORT, defaultRegistryPath, defaultStateDir, type StandinAuthorityKind } from './devPaths';

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
  /** Whose token: the workforce tenant (default), External ID or B2C. */
  readonly authority: StandinAuthorityKind | undefined;
  /** A signed-in user's (delegated) token with these scopes, rather than the client's app-only one. */
  readonly userScopes: readonly string[] | undefined;
  readonly userFlow: string | undefined;
  /** Extra or replacing claims (`--claim acrs='["c1"]'`); null removes one. */
  readonly claims: Readonly<Record<string, unknown>> | undefined;
  readonly help: boolean;
}

export const STANDIN_USAGE = `Usage: entra-dev standin [--port <n>] [--state-dir <dir>] [--registry <file>] [--openssl <path>] [--quiet]
  --port       HTTPS port on 127.0.0.1 (default ${DEFAULT_STANDIN_PORT}, env ENTRA_STANDIN_PORT; 0 = any free port)
  --state-dir  TLS material, signing keys, running stand-ins' records (default <app>/.dev-state, env DEV_STATE_DIR)
  --registry   the app's registrations (default <app>/local.entra.json, env ENTRA_STANDIN_REGISTRY;
               write one with: entra-dev registrations --permissions <file>)
  --openssl    the openssl executable (default: openssl on PATH)
  --quiet      no request log on stderr`;

export const TOKEN_USAGE = `Usage: entra-dev token --client <name> [--api <name>] [--authority workforce|externalId|b2c]
                       [--user --scope <value>...] [--user-flow <B2C_1_...>] [--claim <name>=<value>...]
                       [--state-dir <dir>] [--registry <file>] [--port <n>]
  Prints an access token for a registered client, from the stand-in of <state-dir> running
  on --port (default ${DEFAULT_STANDIN_PORT}, env ENTRA_STANDIN_PORT), or from one started there just for this request.
  --authority  whose token: the workforce tenant (default), the External ID tenant (its ciamlogin
               issuer, /_ciam) or the B2C tenant (its b2clogin issuer, tfp, /_b2c); each signs with its own keys
  --user       a signed-in user's token (scp) through the client, rather than the client's own (roles);
               give its scopes with --scope (repeat it, or separate with spaces)
  --user-flow  B2C: the user flow in tfp (default B2C_1_signupsignin)
  --claim      set a claim: the value as JSON when it parses (acrs='["c1"]', a number, null removes it), else as text`;

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

const AUTHORITY_KINDS: readonly StandinAuthorityKind[] = ['workforce', 'externalId', 'b2c'];

export function parseTokenCliOptions(argv: readonly string[], env: Environment): TokenCliOptions {
  const values = usage(
    () =>
      parseArgs({
        args: [...argv],
        options: {
          ...COMMON,
          client: { type: 'string' },
          api: { type: 'string' },
          authority: { type: 'string' },
          user: { type: 'boolean' },
          scope: { type: 'string', multiple: true },
          'user-flow': { type: 'string' },
          claim: { type: 'string', multiple: true },
        },
        strict: true,
        allowPositionals: false,
      }).values,
  );
  const help = values.help === true;
  if (!help && (values.client === undefined || values.client === '')) throw new CliUsageError('--client <name> is required');
  const authority = values.authority;
  if (authority !== undefined && !AUTHORITY_KINDS.includes(authority as StandinAuthorityKind)) throw new CliUsageError(`--authority must be workforce, externalId or b2c, not ${authority}`);
  const scopes = (values.scope ?? []).flatMap((value) => value.split(/\s+/)).filter((value) => value !== '');
  if (values.user === true && scopes.length === 0) throw new CliUsageError('--user needs the token\'s scopes: --scope <value> (e.g. --scope Orders.Read)');
  if (values.user !== true && scopes.length > 0) throw new CliUsageError('--scope applies to a user\'s token: add --user');
  if (values['user-flow'] !== undefined && authority !== 'b2c') throw new CliUsageError('--user-flow applies to B2C tokens: add --authority b2c');
  return {
    ...common(values, env),
    client: values.client ?? '',
    api: values.api,
    authority: authority as StandinAuthorityKind | undefined,
    userScopes: values.user === true ? scopes : undefined,
    userFlow: values['user-flow'],
    claims: values.claim === undefined ? undefined : Object.fromEntries(values.claim.map(parseClaim)),
    help,
  };
}

/** `name=value`: the value as JSON when it parses as JSON, else the text itself. */
function parseClaim(text: string): [string, unknown] {
  const equals = text.indexOf('=');
  const name = equals < 0 ? '' : text.slice(0, equals);
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(name)) throw new CliUsageError(`--claim ${text}: write it as <name>=<value>, e.g. --claim idtyp=user or --claim acrs='["c1"]'`);
  const raw = text.slice(equals + 1);
  try {
    return [name, JSON.parse(raw) as unknown];
  } catch {
    return [name, raw];
  }
}

type ParsedValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
}

function common(values: ParsedValues, env: Environment): CommonOptions {
  const text = (value: ParsedValues[string]) => (typeof value === 'string' && value !== '' ? value : undefined);
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
