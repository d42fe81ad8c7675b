/**
 * The operators' command (its entry is main.ts): the deny rules, written straight to the app's revocations table (the
 * same one every instance reads), e.g.
 *   npm run revoke -- add --kind clientApp --tenant <tid> --client-app <appid> --issued-before now --reason "secret leaked, rotated"
 *   npm run revoke -- list
 *   npm run revoke -- delete --id <rule id>
 * The store comes from the app's own settings in the environment: ORDERS_STORAGE (a
 * connection string; Azurite locally), or ORDERS_STORAGE__tableServiceUri (or
 * --table-service-uri) with DefaultAzureCredential (`az login`, or the managed identity
 * where there is one), plus REVOCATION_TABLE_NAME. With APPLICATIONINSIGHTS_CONNECTION_STRING
 * set, every change is also an event in Application Insights, as the admin API's are.
 */
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { readHostEnvironment } from 'azure-functions-entra-auth/settings';
import { loadOrdersSettings } from '../../lib/config/ordersSettings';
import { loadRevocationSettings } from '../../lib/config/revocationSettings';
import { createRevocationStore } from '../../lib/revocation/createRevocationStore';
import { changeEvent } from '../../lib/revocation/revocationChange';
import { consoleRevocationEvents } from '../../lib/revocation/revocationEvents';
import { newRevocation, revocationRequest, revocationView, type RevocationAuthor } from '../../lib/revocation/revocationRequest';
import { startAuthTelemetry } from '../../lib/telemetry/startAuthTelemetry';

export const REVOKE_USAGE = `Usage: npm run revoke -- <command> [options]
  add     --kind clientApp|subject|token|tenant --reason <text> [--by <your name>]
          clientApp: --tenant <tid> --client-app <azp/appid> [--issued-before now|<ISO time>]
          subject:   --tenant <tid> --object-id <oid> [--issued-before now|<ISO time>]
          token:     --uti <uti>
          tenant:    --tenant <tid> --issued-before now|<ISO time>
          [--expires-at <ISO time>]  default and latest: the longest token lifetime plus skew from now
  list    every rule in force
  delete  --id <rule id>
Store: ORDERS_STORAGE (connection string) or ORDERS_STORAGE__tableServiceUri / --table-service-uri (Entra ID), REVOCATION_TABLE_NAME.`;

/** AUTH_MAX_TOKEN_LIFETIME_SECONDS and AUTH_CLOCK_SKEW_SECONDS as the package defaults them; the app's own if set. */
function maxRuleLifetimeSeconds(env: NodeJS.ProcessEnv): number {
  const number = (name: string, fallback: number) => (/^\d{1,7}$/.test(env[name] ?? '') ? Number(env[name]) : fallback);
  return number('AUTH_MAX_TOKEN_LIFETIME_SECONDS', 100_800) + number('AUTH_CLOCK_SKEW_SECONDS', 300);
}

export async function runRevoke(argv: readonly string[], env: NodeJS.ProcessEnv, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      kind: { type: 'string' },
      tenant: { type: 'string' },
      'client-app': { type: 'string' },
      'object-id': { type: 'string' },
      uti: { type: 'string' },
      'issued-before': { type: 'string' },
      'expires-at': { type: 'string' },
      reason: { type: 'string' },
      by: { type: 'string' },
      id: { type: 'string' },
      'table-service-uri': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || command === undefined) {
    out(REVOKE_USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length > 0 || !['add', 'list', 'delete'].includes(command)) throw new UsageError(`unknown command ${[command, ...extra].join(' ')}`);

  const settingsSource = { ...env, ...(values['table-service-uri'] !== undefined && { ORDERS_STORAGE__tableServiceUri: values['table-service-uri'] }) };
  const host = readHostEnvironment(settingsSource);
  const orders = loadOrdersSettings(settingsSource, host);
  const revocation = loadRevocationSettings(settingsSource, orders.tableName);
  const store = createRevocationStore(orders, revocation.tableName);

  if (command === 'list') {
    for (const rule of await store.list()) out(JSON.stringify(revocationView(rule)));
    return 0;
  }

  let shutdown: (() => Promise<void>) | undefined;
  const telemetry = startAuthTelemetry(env, {
    onAppTerminate: (hook) => {
      shutdown = hook;
    },
    onDiagnostic: () => undefined,
  });
  const events = telemetry.revocationEvents ?? consoleRevocationEvents;
  const author: RevocationAuthor = { tenantId: values.tenant ?? 'operator', objectId: undefined, clientAppId: undefined, via: 'cli', operator: (values.by ?? userInfo().username).slice(0, 100) };
  try {
    if (command === 'delete') {
      const id = values.id?.toLowerCase();
      if (id === undefined || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) throw new UsageError('--id must be a rule ID (a GUID) from `npm run revoke -- list`');
      const rule = await store.get(id);
      if (!rule || !(await store.remove(id))) {
        out(`no rule ${id}`);
        return 1;
      }
      events.onRuleChanged?.(changeEvent('deleted', rule, author, Date.now()));
      out(`deleted ${id}`);
      return 0;
    }
    const body = Object.fromEntries(
      Object.entries({
        kind: values.kind,
        tenantId: values.tenant,
        clientAppId: values['client-app'],
        objectId: values['object-id'],
        uti: values.uti,
        issuedBefore: values['issued-before'],
        expiresAt: values['expires-at'],
        reason: values.reason,
      }).filter(([, value]) => value !== undefined),
    );
    const parsed = revocationRequest.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : String(issue?.path[0] ?? 'kind');
      throw new UsageError(`${OPTION_OF[field] ?? field}: ${issue?.code === 'unrecognized_keys' ? `does not apply to --kind ${values.kind ?? ''}` : (issue?.message ?? 'is invalid')}`);
    }
    const made = newRevocation(parsed.data, author, randomUUID(), Date.now(), { maxRuleLifetimeSeconds: maxRuleLifetimeSeconds(env) });
    if (!made.ok) throw new UsageError(`${OPTION_OF[made.field] ?? made.field}: ${made.detail.replace(/^Field \w+: /, '')}`);
    const outcome = await store.add(made.rule);
    events.onRuleChanged?.(changeEvent('created', made.rule, author, Date.now()));
    out(JSON.stringify(revocationView(made.rule)));
    // The rule is stored; a failed clean-up of expired rules is only worth a line (the next write retries it).
    if (outcome.cleanupFailed !== undefined) process.stderr.write(`${outcome.cleanupFailed}; the rule was stored\n`);
    return 0;
  } finally {
    await shutdown?.();
  }
}

const OPTION_OF: Readonly<Record<string, string>> = {
  kind: '--kind',
  tenantId: '--tenant',
  clientAppId: '--client-app',
  objectId: '--object-id',
  uti: '--uti',
  issuedBefore: '--issued-before',
  expiresAt: '--expires-at',
  reason: '--reason',
};

export class UsageError extends Error {}
