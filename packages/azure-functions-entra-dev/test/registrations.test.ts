import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { declaredValues, generateRegistry, PermissionsFileError } from '../src/registrations/generateRegistry';
import { Registry } from '../src/standin/registry';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'dist', 'cli', 'main.js');

describe('registrations generated from the permissions an app declares', () => {
  it('reads the list form, the plain form and an Entra app manifest alike, skipping disabled entries', () => {
    const expected = { appRoles: ['Invoices.Read', 'Invoices.Write'], scopes: ['Invoices.Read'] };
    expect(declaredValues({ appRoles: [{ value: 'Invoices.Read' }, { value: 'Invoices.Write' }, { value: 'Old', isEnabled: false }], scopes: [{ value: 'Invoices.Read' }] }, 'f')).toEqual(expected);
    expect(declaredValues({ appRoles: ['Invoices.Read', 'Invoices.Write'], scopes: ['Invoices.Read'] }, 'f')).toEqual(expected);
    expect(declaredValues({ appRoles: [{ value: 'Invoices.Read' }, { value: 'Invoices.Write' }], api: { oauth2PermissionScopes: [{ value: 'Invoices.Read' }] } }, 'f')).toEqual(expected);
  });

  it.each([
    ['not an object', 'roles'],
    ['a value with a space', { appRoles: ['Invoices Read'], scopes: [] }],
    ['nothing declared', { appRoles: [], scopes: [] }],
  ])('refuses %s, naming the file', (_name, json) => {
    expect(() => declaredValues(json, '/app/permissions.json')).toThrow(PermissionsFileError);
    expect(() => declaredValues(json, '/app/permissions.json')).toThrow(/^\/app\/permissions\.json: /);
  });

  it('gives one daemon client per app role holding just that role, and a client with none, in a file the stand-in loads', () => {
    const data = generateRegistry({ appRoles: ['Invoices.Read', 'Invoices.Write'], scopes: ['Invoices.Read'] }, { apiName: 'invoices-api' });
    const registry = Registry.parse(data);
    const api = registry.apiByName('invoices-api');
    expect(api).toMatchObject({ appIdUri: 'api://invoices-api', requestedAccessTokenVersion: 2 });
    expect(registry.clients.map((client) => [client.name, api && registry.rolesOf(client, api)])).toEqual([
      ['invoices.read', ['Invoices.Read']],
      ['invoices.write', ['Invoices.Write']],
      ['norole', []],
    ]);
    // Fresh secrets and IDs each time: nothing two apps generate is shared.
    const again = generateRegistry({ appRoles: ['Invoices.Read'], scopes: [] }, { apiName: 'invoices-api' });
    expect(again.clients[0]?.secret).not.toBe(data.clients[0]?.secret);
    expect(again.tenant.id).not.toBe(data.tenant.id);
  });
});

describe('entra-dev registrations (the built command)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'entra-dev-registrations-'));
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@contoso/invoices-api', version: '1.0.0' }));
    await writeFile(path.join(dir, 'permissions.json'), JSON.stringify({ appRoles: ['Invoices.Read'], scopes: ['Invoices.Read'] }));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes local.entra.json in the app's folder, named after its package, and keeps it on a second run", async () => {
    const first = await run(process.execPath, [CLI, 'registrations', '--permissions', 'permissions.json'], { cwd: dir });
    expect(first.stdout).toContain(`wrote ${path.join(dir, 'local.entra.json')}: API invoices-api (api://invoices-api), clients invoices.read, norole`);
    const written = await readFile(path.join(dir, 'local.entra.json'), 'utf8');
    expect(Registry.parse(JSON.parse(written)).clientByName('invoices.read')).toBeDefined();
    const second = await run(process.execPath, [CLI, 'registrations', '--permissions', 'permissions.json'], { cwd: dir }).catch((error: unknown) => error);
    expect(second).toMatchObject({ code: 2, stderr: expect.stringContaining('exists: keep it, or pass --force') });
    expect(await readFile(path.join(dir, 'local.entra.json'), 'utf8')).toBe(written);
  });

  it('names an unknown command and exits 2, listing the commands', async () => {
    const failed = await run(process.execPath, [CLI, 'tokn'], { cwd: dir }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('entra-dev: no command "tokn"') });
    expect((failed as { stderr: string }).stderr).toMatch(/standin[\s\S]*token[\s\S]*inspect[\s\S]*host[\s\S]*registrations/);
  });
});
