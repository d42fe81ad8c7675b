import { parseArgs } from 'node:util';
import { CliUsageError } from '../standin/cliOptions';

export { CliUsageError };

/** Where the token comes from: the command line, or standard input (`-`, the documented way). */
export type TokenSource = { readonly kind: 'argument'; readonly token: string } | { readonly kind: 'stdin' };

export interface InspectOptions {
  readonly source: TokenSource;
  /** A local.settings-shaped file read instead of <app>/local.settings.json. */
  readonly settingsFile: string | undefined;
  /** The Functions app's folder; default: the nearest package.json at or above the working directory. */
  readonly appDir: string | undefined;
  /** Check the token only: do not load the app to list its routes. */
  readonly noRoutes: boolean;
  /** No discovery or key fetch: the signature, key and issuer checks are marked skipped. */
  readonly offline: boolean;
  readonly json: boolean;
  /** Show personal claims (name, upn, preferred_username, email, unique_name) instead of redacting them. */
  readonly showClaims: boolean;
  readonly help: boolean;
}

export const INSPECT_USAGE = `Usage: entra-dev inspect [options] -        (token on standard input: keeps it out of shell history)
       entra-dev inspect [options] <token>
  Explains, check by check and route by route, why the app accepts or refuses an access
  token, with the production verifier. The token is never printed and never sent anywhere.
  --app <dir>        the Functions app (default: the nearest package.json at or above the working
                     directory); its build is loaded to read its routes and what each demands
  --settings <file>  a local.settings.json-shaped file (default: the app's local.settings.json);
                     the environment wins over its Values, as under func start
  --no-routes        check the token only, without loading the app
  --offline          no network at all: the signature, key and issuer checks are skipped
  --json             one JSON document on stdout
  --show-claims      show name, upn, preferred_username, email, unique_name (redacted by default)
  Exit codes: 0 accepted, 1 refused, 2 bad usage or a bad setting.`;

/** Parses the command line. Throws CliUsageError (exit 2) for anything it cannot use. */
export function parseInspectOptions(argv: readonly string[]): InspectOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        settings: { type: 'string' },
        app: { type: 'string' },
        'no-routes': { type: 'boolean' },
        offline: { type: 'boolean' },
        json: { type: 'boolean' },
        'show-claims': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    // parseArgs names the option at fault; it never echoes a positional (the token).
    throw new CliUsageError(error instanceof Error ? error.message : 'invalid arguments');
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (values.settings === '') throw new CliUsageError('--settings needs a file name');
  if (values.app === '') throw new CliUsageError('--app needs a folder');
  if (!help && positionals.length !== 1) {
    throw new CliUsageError(positionals.length === 0 ? 'give the token, or - to read it from standard input' : `expected one token, got ${positionals.length} arguments`);
  }
  const [first = '-'] = positionals;
  return {
    source: first === '-' ? { kind: 'stdin' } : { kind: 'argument', token: first },
    settingsFile: values.settings,
    appDir: values.app,
    noRoutes: values['no-routes'] === true,
    offline: values.offline === true,
    json: values.json === true,
    showClaims: values['show-claims'] === true,
    help,
  };
}
