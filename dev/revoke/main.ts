/**
 * `npm run revoke -- add|list|delete ...` (see revokeCommand.ts). The store comes from the
 * environment, filled in from the app's local.settings.json as Core Tools fills it in (the
 * environment wins), so with `npm start` running it reaches the same Azurite table; for
 * Azure, pass --table-service-uri (or ORDERS_STORAGE__tableServiceUri) and sign in with
 * `az login`.
 */
import path from 'node:path';
import { SettingsError } from 'azure-functions-entra-auth/settings';
import { LocalSettingsError, localEnvironment } from 'azure-functions-entra-dev/host';
import { REVOKE_USAGE, runRevoke, UsageError } from './revokeCommand';

// stdout carries the command's result alone (one JSON line per rule), so it can be piped; log lines go to stderr.
console.info = console.error;

function environment(): NodeJS.ProcessEnv {
  try {
    return localEnvironment(path.resolve(__dirname, '..', '..', '..'), process.env);
  } catch (error) {
    if (!(error instanceof LocalSettingsError)) throw error;
    process.stderr.write(`revoke: ${error.message}\n`);
    process.exit(2);
  }
}

runRevoke(process.argv.slice(2), environment(), (line) => process.stdout.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof SettingsError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`revoke: ${error instanceof Error ? error.message : String(error)}\n${known ? `${REVOKE_USAGE}\n` : ''}`);
    process.exitCode = known ? 2 : 1;
  },
);
