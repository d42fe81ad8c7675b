import Ajv2019 from 'ajv/dist/2019';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { exprText, literal, objectValue, parseExpression } from '../infra/support/armExpression';
import { at, compiledInfra, describeCompiled } from '../infra/support/armTemplate';
import { readRepoFile, REPO_ROOT } from '../infra/support/infraFiles';

/** azd's published schema for azure.yaml (v1.0), kept beside the clone in shared/reference. */
const SCHEMA_PATH = join(REPO_ROOT, '..', 'shared', 'reference', 'azd', 'azure.yaml.schema.json');

interface Hook {
  shell?: string;
  run: string;
}
interface AzureYaml {
  name: string;
  infra: { provider: string; path: string; module: string };
  services: Record<string, { project: string; language: string; host: string; dist: string; remoteBuild: boolean; hooks?: Record<string, Hook> }>;
}

function validator() {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $schema: string };
  expect(schema.$schema).toBe('https://json-schema.org/draft/2019-09/schema');
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  // The schema names azd extensions' own schemas (AI hosts) by URL. They only apply to those hosts and
  // cannot be fetched here, so each stands in as an empty schema: every rule of the function host is real.
  const external = [...new Set([...readFileSync(SCHEMA_PATH, 'utf8').matchAll(/"\$ref":\s*"(https:[^"#]+)/g)].map((m) => m[1] ?? ''))];
  for (const url of external) ajv.addSchema({ $id: url }, url);
  return ajv.compile(schema);
}

const text = readRepoFile('azure.yaml');
const config = parse(text) as AzureYaml;
const serviceEntries = Object.entries(config.services);

describe('azure.yaml (Azure Developer CLI)', () => {
  it("is valid against azd's published schema", () => {
    const validate = validator();
    expect(validate(config) ? [] : validate.errors).toEqual([]);
  });

  it('fails that schema when broken, so the check above can fail', () => {
    const validate = validator();
    const [name, service] = serviceEntries[0]!;
    expect(validate({ ...config, services: { [name]: { ...service, remoteBuild: 'no' } } })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toContain(`/services/${name}/remoteBuild`);
  });

  it('has one function service in TypeScript, deployed as built with no remote build', () => {
    expect(serviceEntries).toHaveLength(1);
    const [, service] = serviceEntries[0]!;
    expect({ language: service.language, host: service.host, remoteBuild: service.remoteBuild }).toEqual({ language: 'ts', host: 'function', remoteBuild: false });
  });

  it('provisions infra/main.bicep with its parameters file', () => {
    expect(config.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    for (const file of [`${config.infra.module}.bicep`, `${config.infra.module}.bicepparam`]) expect(existsSync(join(REPO_ROOT, config.infra.path, file))).toBe(true);
  });

  it('names only paths that exist, and a package folder that the prepackage hook writes and git ignores', () => {
    const [, service] = serviceEntries[0]!;
    expect(statSync(join(REPO_ROOT, service.project)).isDirectory()).toBe(true);
    expect(existsSync(join(REPO_ROOT, service.project, 'package.json'))).toBe(true);
    const prepackage = service.hooks?.prepackage?.run ?? '';
    expect(prepackage).toMatch(/^npm run package -- --out \S+$/);
    expect(prepackage.split(' ').at(-1)).toBe(service.dist);
    const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.package).toMatch(/dev\/package\/main\.js$/);
    expect(readRepoFile('dev/package/main.ts')).toMatch(/\bout: \{ type: 'string' \}/); // the --out option
    expect(readRepoFile('.gitignore').split('\n')).toContain(`${service.dist}/`);
  });

  it('takes the environment name from AZURE_ENV_NAME, and the location from the deployment azd runs in AZURE_LOCATION', () => {
    expect(readRepoFile('infra/main.bicepparam')).toMatch(/^param environmentName = readEnvironmentVariable\('AZURE_ENV_NAME'(, '[^']+')?\)$/m);
    expect(readRepoFile('infra/main.bicep')).toMatch(/^param location string = deployment\(\)\.location$/m);
  });
});

describe('the azd path in docs/deploy.md', () => {
  const doc = readRepoFile('docs/deploy.md');

  it('runs azd up and reads only outputs main.bicep declares', () => {
    expect(doc).toContain('azd up');
    const read = [...doc.matchAll(/azd env get-value (\w+)/g)].map((m) => m[1] ?? '');
    expect(read).toEqual(expect.arrayContaining(['tenantId', 'functionAppUrl', 'clientCredentialsScope']));
    const compiled = compiledInfra().compiled;
    const declared = compiled ? Object.keys(compiled.main.outputs ?? {}) : [...readRepoFile('infra/main.bicep').matchAll(/^output (\w+) /gm)].map((m) => m[1]);
    expect(read.filter((name) => !declared.includes(name))).toEqual([]);
  });
});

describeCompiled('the Bicep tags azd discovers resources by (compiled ARM JSON)', () => {
  const infra = compiledInfra().compiled!;

  it('tags the resource group with azd-env-name, the environment name', () => {
    const rg = infra.single('Microsoft.Resources/resourceGroups');
    const tags = rg.json.tags === "[variables('allTags')]" ? infra.main.variables?.allTags : rg.json.tags;
    const value = objectValue(parseExpression(tags as string), 'azd-env-name');
    expect(value && exprText(value)).toBe("parameters('environmentName')");
  });

  it("tags the function app with azd-service-name, the service's name in azure.yaml", () => {
    const site = infra.single('Microsoft.Web/sites');
    const tag = objectValue(parseExpression(at(site.json, 'tags') as string), 'azd-service-name');
    // The module takes the name as a parameter; main.bicep passes its one azdServiceName variable.
    const passed = tag && exprText(tag) === "parameters('azdServiceName')" ? site.passedParameters?.azdServiceName : undefined;
    const name = passed ? infra.main.variables?.azdServiceName : literal(tag);
    expect(passed === undefined || at(passed, 'value') === "[variables('azdServiceName')]").toBe(true);
    expect(name).toBe(serviceEntries[0]?.[0]);
  });

  it('compiles environmentName to its default when AZURE_ENV_NAME is unset', () => {
    expect(infra.parameters.parameters.environmentName?.value).toBe('orders-dev');
  });
});
