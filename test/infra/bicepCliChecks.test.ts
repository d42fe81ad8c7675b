import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INFRA_DIR, REPO_ROOT } from './support/infraFiles';

/**
 * What only the real Bicep CLI can show: `bicep snapshot` runs ARM's template engine over a
 * parameters file, so it shows which stage stops a bad parameter set and what the
 * deployment would create. Needs the CLI (from NuGet, so .NET tooling) and the Graph
 * extension's type index; without them the file prints one line and skips.
 */

// The jest global setup (support/globalSetup.ts) finds the CLI as `npm run infra:build` does
// (dev/infra/bicepCli.ts: BICEP_CLI, PATH, az, the NuGet cache) and passes it on as BICEP_CLI.
function locateBicepCli(): string | undefined {
  const path = process.env.BICEP_CLI;
  return path !== undefined && path !== '' && existsSync(path) ? path : undefined;
}

const GRAPH_TYPES_INDEX = join(REPO_ROOT, '..', 'shared', 'reference', 'bicep-types', 'microsoftgraph-v1.0-1.0.0', 'index.json');
const bicep = locateBicepCli();
const available = bicep !== undefined && existsSync(GRAPH_TYPES_INDEX);
if (!available) {
  const missing = bicep === undefined ? 'no Bicep CLI (the lookup npm run infra:build uses found none: see the jest setup\'s "infra:" line)' : `no Graph type index at ${GRAPH_TYPES_INDEX}`;
  process.stderr.write(`bicepCliChecks: skipped, ${missing}\n`);
}
const describeWithCli = available ? describe : describe.skip;

const SUBSCRIPTION_A = '00000000-0000-0000-0000-00000000000a';
const SUBSCRIPTION_B = '00000000-0000-0000-0000-00000000000b';
const TENANT = '00000000-0000-0000-0000-0000000000f0';
const CLI_TIMEOUT_MS = 120_000;

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    // main.bicepparam reads AZURE_ENV_NAME (azd sets it); the checks expect its fallback name.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'AZURE_ENV_NAME'));
    execFile(bicep ?? 'bicep', args, { cwd, env, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface PredictedResource {
  readonly type: string;
  readonly name: string;
  readonly tags?: Record<string, string>;
  readonly properties?: Record<string, unknown>;
}

describeWithCli('the Bicep CLI on infra/ (a temporary copy using a local Graph extension)', () => {
  let work: string;
  const paramsFile = (name: string, lines: string[]) => {
    writeFileSync(join(work, `${name}.bicepparam`), ["using './main.bicep'", ...lines, ''].join('\n'));
  };
  const snapshot = (name: string, subscription = SUBSCRIPTION_A) =>
    run(['snapshot', `${name}.bicepparam`, '--mode', 'overwrite', '--subscription-id', subscription, '--tenant-id', TENANT, '--location', 'westeurope'], work);
  const predicted = (name: string): PredictedResource[] =>
    (JSON.parse(readFileSync(join(work, `${name}.snapshot.json`), 'utf8')) as { predictedResources: PredictedResource[] }).predictedResources;
  const errorsIn = (output: string) => output.split('\n').filter((line) => / : Error /.test(line));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'infra-cli-'));
    cpSync(INFRA_DIR, work, { recursive: true });
    const published = await run(['publish-extension', GRAPH_TYPES_INDEX, '--target', join(work, 'graph.tgz')], work);
    expect(published.code).toBe(0);
    // Only the copy points at the local extension; the committed bicepconfig keeps the registry reference.
    const config = JSON.parse(readFileSync(join(work, 'bicepconfig.json'), 'utf8')) as { extensions: Record<string, string> };
    config.extensions.microsoftGraphV1 = './graph.tgz';
    writeFileSync(join(work, 'bicepconfig.json'), JSON.stringify(config, null, 2));
    paramsFile('wrong-rotation', ["param environmentName = 'orders-dev'", 'param signingKeyRotateAfterDays = 180', 'param signingKeyLifetimeDays = 180']);
    paramsFile('wrong-notice', ["param environmentName = 'orders-dev'", 'param signingKeyNotifyBeforeExpiryDays = 180', 'param signingKeyLifetimeDays = 180']);
    paramsFile('own-settings', ["param environmentName = 'orders-dev'", "param additionalAppSettings = { MY_FEATURE_FLAG: 'on', AUTH_TENANT_ID: 'not-the-tenant' }"]);
  }, CLI_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    'lets rotateAfterDays = lifetimeDays = 180 through bicep build-params: each value is within its own bounds',
    async () => {
      const built = await run(['build-params', 'wrong-rotation.bicepparam', '--stdout'], work);
      expect({ code: built.code, errors: errorsIn(built.stderr) }).toEqual({ code: 0, errors: [] });
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'stops that file in template validation, before any resource, naming the parameters',
    async () => {
      const result = await snapshot('wrong-rotation');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("The template variable 'signingKeyPolicy' is not valid: Invalid signing key rotation parameters:");
      expect(result.stderr).toContain('signingKeyRotateAfterDays (180) must be at most signingKeyLifetimeDays (180) - 7');
      expect(result.stderr).toContain('signingKeyRotateAfterDays (180) must be less than signingKeyLifetimeDays (180) - signingKeyNotifyBeforeExpiryDays (30)');
      // Nothing was predicted: the engine gave up before expanding a single resource.
      expect(existsSync(join(work, 'wrong-rotation.snapshot.json'))).toBe(false);
    },
    CLI_TIMEOUT_MS,
  );

  it(
    'stops a notice period as long as the lifetime the same way',
    async () => {
      const result = await snapshot('wrong-notice');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('signingKeyNotifyBeforeExpiryDays (180) must be less than signingKeyLifetimeDays (180)');
    },
    CLI_TIMEOUT_MS,
  );

  describe('the shipped parameters', () => {
    let resources: PredictedResource[];
    const ofType = (type: string) => resources.filter((r) => r.type === type);

    beforeAll(async () => {
      const result = await snapshot('main');
      expect({ code: result.code, errors: errorsIn(result.stderr) }).toEqual({ code: 0, errors: [] });
      resources = predicted('main');
    }, CLI_TIMEOUT_MS);

    it('define the signer role with exactly key read and sign, assignable in the resource group, and assign it on the key', () => {
      const [role, ...others] = ofType('Microsoft.Authorization/roleDefinitions');
      expect(others).toEqual([]);
      expect(role?.properties).toMatchObject({
        type: 'CustomRole',
        permissions: [{ actions: [], notActions: [], dataActions: ['Microsoft.KeyVault/vaults/keys/read', 'Microsoft.KeyVault/vaults/keys/sign/action'], notDataActions: [] }],
        assignableScopes: [`/subscriptions/${SUBSCRIPTION_A}/resourceGroups/rg-orders-dev`],
      });
      const roleDefinitionIds = ofType('Microsoft.Authorization/roleAssignments').map((ra) => ra.properties?.roleDefinitionId);
      expect(roleDefinitionIds).toContain(`/subscriptions/${SUBSCRIPTION_A}/providers/Microsoft.Authorization/roleDefinitions/${role?.name ?? '?'}`);
      expect(roleDefinitionIds).not.toContain(`/subscriptions/${SUBSCRIPTION_A}/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424`);
    });

    it('turn near-expiry and expired key events into Azure Monitor alerts', () => {
      const subscriptions = ofType('Microsoft.EventGrid/systemTopics/eventSubscriptions');
      const shape = subscriptions.map((s) => s.properties as { destination: { endpointType: string }; filter: { includedEventTypes: string[] } });
      expect(shape.map((s) => [s.destination.endpointType, s.filter.includedEventTypes])).toEqual([
        ['MonitorAlert', ['Microsoft.KeyVault.KeyNearExpiry']],
        ['MonitorAlert', ['Microsoft.KeyVault.KeyExpired']],
      ]);
      expect(ofType('Microsoft.Insights/diagnosticSettings').map((d) => d.properties?.logs)).toEqual([[{ category: 'AuditEvent', enabled: true }]]);
    });

    it('tag the resource group and the function app for azd', () => {
      expect(ofType('Microsoft.Resources/resourceGroups')[0]?.tags).toMatchObject({ 'azd-env-name': 'orders-dev' });
      expect(ofType('Microsoft.Web/sites')[0]?.tags).toMatchObject({ 'azd-service-name': 'api' });
    });

    it('set no queue endpoint and no FTPS state', () => {
      const [settings] = ofType('Microsoft.Web/sites/config');
      expect(Object.keys(settings?.properties ?? {}).filter((key) => /queue/i.test(key))).toEqual([]);
      expect(ofType('Microsoft.Web/sites')[0]?.properties?.siteConfig).not.toHaveProperty('ftpsState');
    });

    it(
      "keep a user's own settings, let the template's win a clash, and give another subscription another App ID URI",
      async () => {
        const result = await snapshot('own-settings', SUBSCRIPTION_B);
        expect(result.code).toBe(0);
        const settingsOf = (name: string) => predicted(name).find((r) => r.type === 'Microsoft.Web/sites/config')?.properties ?? {};
        const own = settingsOf('own-settings');
        expect(own).toMatchObject({ MY_FEATURE_FLAG: 'on', AUTH_TENANT_ID: TENANT });
        const [uriA, uriB] = [settingsOf('main').AUTH_APP_ID_URI, own.AUTH_APP_ID_URI];
        expect(uriA).toMatch(new RegExp(`^api://${TENANT}/orders-api-orders-dev-\\w{8}$`));
        expect(uriB).toMatch(new RegExp(`^api://${TENANT}/orders-api-orders-dev-\\w{8}$`));
        expect(uriB).not.toBe(uriA);
      },
      CLI_TIMEOUT_MS,
    );
  });
});
