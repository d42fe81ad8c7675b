#!/usr/bin/env node
/**
 * `entra-dev <command> [options]`: the one command line of this package. Each command
 * is its own module, loaded only when named, so `entra-dev token` starts in the time
 * Node takes to load the token code (no build step, no other command's imports).
 */
const COMMANDS: Readonly<Record<string, { readonly module: string; readonly summary: string }>> = {
  standin: { module: '../standin/main', summary: 'run the local Entra ID stand-in (HTTPS, v1 and v2 issuers, client_credentials)' },
  token: { module: '../token/main', summary: 'print an access token for a client of local.entra.json' },
  inspect: { module: '../inspect/main', summary: "explain why the app accepts or refuses a token, route by route" },
  host: { module: '../host/serve', summary: 'run the built Functions app as the Functions worker does, with local.settings.json' },
  registrations: { module: '../registrations/main', summary: "write local.entra.json from the app's declared app roles and scopes" },
};

const USAGE = [
  'Usage: entra-dev <command> [options]     (entra-dev <command> --help for its options)',
  ...Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(14)}${summary}`),
  'Development only: nothing here belongs in a deployed app.',
].join('\n');

const [command, ...rest] = process.argv.slice(2);
const chosen = command === undefined ? undefined : COMMANDS[command];
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else if (chosen === undefined) {
  process.stderr.write(`entra-dev: no command ${JSON.stringify(command.slice(0, 40))}\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  // The command modules read process.argv as if run on their own.
  process.argv.splice(2, process.argv.length - 2, ...rest);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(chosen.module);
}
export {};
