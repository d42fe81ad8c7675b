/**
 * `npm run demo`: a scripted tour of the Orders API with a real client_credentials
 * client. Starts its own Entra stand-in and dev host on free ports, runs the tour in
 * a child process that trusts the stand-in through NODE_EXTRA_CA_CERTS, prints a
 * table of every call with its status and reason, and stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAzuriteTable, type AzuriteTable } from '../azurite/azuriteTable';
import { commandLinePath, findAppRoot, hostWorkerPath, type StandinRecord, waitForJsonLine } from 'azure-functions-entra-dev/toolkit';
import { Registry, localAuthoritySettings } from 'azure-functions-entra-dev';
import type { TourInput, TourRow } from './tour';

const root = findAppRoot(__dirname);
const children: ChildProcess[] = [];
let azurite: AzuriteTable | undefined;
const azuriteData = mkdtempSync(path.join(tmpdir(), 'orders-demo-'));

interface RegistryFile {
  apis: { name: string; clientId: string; appIdUri: string }[];
  clients: { name: string; clientId: string; secret: string }[];
}

async function main(): Promise<void> {
  const registry = JSON.parse(readFileSync(path.join(root, 'local.entra.json'), 'utf8')) as RegistryFile;
  const tenants = await Registry.load(path.join(root, 'local.entra.json'));
  const api = find(registry.apis, 'orders-api');
  const otherApi = find(registry.apis, 'orders-api-v1');
  const client = (name: string) => {
    const { clientId, secret } = find(registry.clients, name);
    return { clientId, secret };
  };

  const standinProcess = start(commandLinePath(), ['standin', '--port', '0', '--quiet'], {});
  const standin = await waitForJsonLine<StandinRecord & Record<string, unknown>>(standinProcess, 'authority');
  azurite = await startAzuriteTable({ location: azuriteData });
  // The three authorities local.settings.sample.json names (employees, customers, legacyCustomers), on this stand-in.
  const authorities = localAuthoritySettings({ url: standin.url, caPath: standin.caPath, registry: tenants, api, userFlows: ['B2C_1_signupsignin'] });
  const host = start(hostWorkerPath(), [root], {
    PORT: '0',
    ...authorities,
    NODE_EXTRA_CA_CERTS: standin.caPath,
    ORDERS_STORAGE: azurite.connectionString,
  });
  const { devHost } = await waitForJsonLine<{ devHost: string }>(host, 'devHost');

  const input: TourInput = {
    authorityHost: standin.url,
    customerAuthorityHost: `${standin.url}/_ciam`,
    customerTenantId: tenants.externalIdTenant.id,
    standinUrl: standin.url,
    tenantId: standin.tenantId,
    apiUrl: devHost,
    scope: `${api.appIdUri}/.default`,
    otherScope: `${otherApi.appIdUri}/.default`,
    clients: { reader: client('reader'), writer: client('writer'), norole: client('norole') },
  };
  const tour = start('dist-dev/dev/demo/tour.js', [JSON.stringify(input)], { NODE_EXTRA_CA_CERTS: standin.caPath }, 'inherit');
  const { rows } = await waitForJsonLine<{ rows: TourRow[] }>(tour, 'rows', { timeoutMs: 60_000 });
  printTable(rows, standin, devHost);
}

function start(script: string, args: string[], env: Record<string, string>, stderr: 'ignore' | 'inherit' = 'ignore'): ChildProcess {
  const child = spawn(process.execPath, [path.resolve(root, script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', stderr],
  });
  children.push(child);
  return child;
}

function find<T extends { name: string }>(items: readonly T[], name: string): T {
  const item = items.find((candidate) => candidate.name === name);
  if (!item) throw new Error(`local.entra.json has no "${name}"`);
  return item;
}

function printTable(rows: readonly TourRow[], standin: StandinRecord, devHost: string): void {
  const widths = [2, ...(['caller', 'request', 'status', 'reason'] as const).map((key) => Math.max(key.length, ...rows.map((row) => String(row[key]).length)))];
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  const out = [
    `Orders API tour: tokens from @azure/identity ClientSecretCredential at the Entra stand-in ${standin.url} (workforce tenant, and its External ID tenant at /_ciam), API at ${devHost}`,
    '',
    line(['#', 'caller', 'request', 'status', 'reason']),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map((row, i) => line([String(i + 1), row.caller, row.request, String(row.status), row.reason])),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

function stopAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // The demo's orders live in a temporary Azurite and go with it.
  void (azurite?.stop() ?? Promise.resolve()).finally(() => {
    rmSync(azuriteData, { recursive: true, force: true });
  });
}

main()
  .then(stopAll, (error: unknown) => {
    process.stderr.write(`npm run demo: ${error instanceof Error ? error.message : String(error)}\n`);
    stopAll();
    process.exitCode = 1;
  });
