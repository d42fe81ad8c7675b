/**
 * `npm start`: the whole local experience on a fresh clone. Creates local.settings.json
 * from the sample if missing, starts the local Entra stand-in when the AUTH_* settings
 * name a loopback authority (the sample's three: employees, customers through External
 * ID, legacy customers through B2C, all served by the one stand-in) and Azurite's table service for the orders (unless the
 * ORDERS_STORAGE settings name another store), runs the app under `func start` when Core Tools is on
 * PATH and under the dev host otherwise, and prints how to get a token and call it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { localEnvironment } from 'azure-functions-entra-dev/host';
import { commandLinePath, findAppRoot, findRunningStandin, type StandinRecord, findOnPath, waitForJsonLine, holderOf, isListening, portInUseMessage } from 'azure-functions-entra-dev/toolkit';
import type { AzuriteTable } from '../azurite/azuriteTable';
import { authorityHosts } from './localAuthorities';
import { startLocalOrdersStore } from './ordersStorage';

const root = findAppRoot(__dirname);
const stateDir = path.join(root, '.dev-state');
const children: ChildProcess[] = [];
let azurite: AzuriteTable | undefined;
const say = (line: string) => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const settingsFile = path.join(root, 'local.settings.json');
  if (!existsSync(settingsFile)) {
    copyFileSync(path.join(root, 'local.settings.sample.json'), settingsFile);
    say('Created local.settings.json from local.settings.sample.json (edit it to point at your own tenant).');
  }
  const env = localEnvironment(root, process.env);
  const port = env.PORT ?? '7071';
  // Checked before anything starts: a second npm start would otherwise start its stand-in
  // and Azurite only to have the app die on the taken port.
  if (await isListening(Number(port), '127.0.0.1')) {
    const taken = portInUseMessage(`PORT ${port}`, '127.0.0.1', await holderOf(Number(port)));
    throw new Error(`${taken}. Use that one, stop it (Ctrl+C in its terminal), or start this one on another port: PORT=${String(Number(port) + 1)} npm start`);
  }
  const hosts = authorityHosts(env);
  for (const remote of hosts.remote) say(`Authority ${remote}: a real one, not the local stand-in.`);

  let standin: StandinRecord | undefined;
  if (hosts.standinPort !== undefined) {
    standin = await startStandin(hosts.standinPort);
    // The key fetch trusts the stand-in through AUTH_INSTANCE_CA_FILE (absolute here, for both hosts); a
    // NODE_EXTRA_CA_CERTS the environment already sets (a corporate bundle) is kept rather than replaced.
    env.AUTH_INSTANCE_CA_FILE = standin.caPath;
    if (!process.env.NODE_EXTRA_CA_CERTS) env.NODE_EXTRA_CA_CERTS = standin.caPath;
  }

  const orders = await startLocalOrdersStore(env, stateDir);
  azurite = orders.azurite;
  say(orders.message);

  const func = findOnPath('func');
  const app = func
    ? spawn(func, ['start', '--port', port], { cwd: root, env, stdio: 'inherit' })
    : spawn(process.execPath, [commandLinePath(), 'host'], { cwd: root, env: { ...env, PORT: port }, stdio: 'inherit' });
  children.push(app);
  app.on('exit', (code) => { stop(code ?? 0); });
  say(func ? `Running the app with Core Tools (${func}).` : 'Core Tools (func) is not on PATH: running the app in the dev host instead.');
  if (standin) printGuide(standin, port);
}

async function startStandin(port: number): Promise<StandinRecord> {
  const running = await findRunningStandin(stateDir, port);
  if (running) {
    say(`Using the Entra stand-in already running at ${running.url}.`);
    return running;
  }
  const child = spawn(process.execPath, [commandLinePath(), 'standin', '--port', String(port), '--state-dir', stateDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const record = await waitForJsonLine<StandinRecord & Record<string, unknown>>(child, 'authority').catch((error: unknown) => {
    throw new Error(`the Entra stand-in did not start (${error instanceof Error ? error.message : String(error)}): its own message is above`);
  });
  say(`Entra stand-in (dev only) at ${record.url}, tenant ${record.tenantId}.`);
  return record;
}

function printGuide(standin: StandinRecord, port: number | string): void {
  const api = `http://localhost:${port}/api`;
  say(`
Get a token for a registered client app (reader, writer, revoker, norole: local.entra.json) and call the API:

  TOKEN=$(npm run -s token -- --client writer)
  curl -H "Authorization: Bearer $TOKEN" ${api}/orders
  curl -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" -d '{"item":"widget","quantity":2}' ${api}/orders
  curl -H "Authorization: Bearer $TOKEN" ${api}/me

A customer's token, from the External ID tenant or a B2C user flow (orders are the staff's: they get 401 there, and /me works):

  CUSTOMER=$(npm run -s token -- --client reader --authority externalId --user --scope Orders.Read)
  curl -H "Authorization: Bearer $CUSTOMER" ${api}/me
  LEGACY=$(npm run -s token -- --client reader --authority b2c --user --scope Orders.Read)
  curl -H "Authorization: Bearer $LEGACY" ${api}/me

or with curl alone:

  curl --cacert ${path.relative(root, standin.caPath)} -d grant_type=client_credentials \\
    -d client_id=de700000-0000-4000-8000-0000000c0002 -d client_secret=dev-only~writer~not-a-real-secret \\
    -d scope=api://orders-api/.default ${standin.authority}/oauth2/v2.0/token

A scripted tour with @azure/identity: npm run demo. Stop with Ctrl+C.`);
}

function stop(code: number): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // Azurite saves its data when it stops (SIGINT), not on SIGTERM.
  void (azurite?.stop() ?? Promise.resolve()).finally(() => process.exit(code));
}

process.on('SIGINT', () => { stop(0); });
process.on('SIGTERM', () => { stop(0); });
main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
  stop(1);
});
