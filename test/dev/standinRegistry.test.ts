import { readFile } from 'node:fs/promises';
import { defaultRegistryPath } from '../../packages/azure-functions-entra-dev/src/standin/devPaths';
import { Registry, RegistryError } from '../../packages/azure-functions-entra-dev/src/standin/registry';

async function shippedJson(): Promise<{ apis: Record<string, unknown>[]; clients: Record<string, unknown>[] } & Record<string, unknown>> {
  return JSON.parse(await readFile(defaultRegistryPath(), 'utf8')) as { apis: Record<string, unknown>[]; clients: Record<string, unknown>[] };
}

describe('the stand-in registry', () => {
  it('ships orders-api (v2), its v1 twin and the reader / writer / norole clients', async () => {
    const registry = await Registry.load(defaultRegistryPath());
    expect(registry.apis.map((api) => [api.name, api.appIdUri, api.requestedAccessTokenVersion])).toEqual([
      ['orders-api', 'api://orders-api', 2],
      ['orders-api-v1', 'api://orders-api-v1', 1],
    ]);
    const roles = (client: string, api: string) => registry.rolesOf(registry.clientByName(client)!, registry.apiByName(api)!);
    expect([roles('reader', 'orders-api'), roles('reader', 'orders-api-v1')]).toEqual([['Orders.Read'], ['Orders.Read']]);
    expect([roles('writer', 'orders-api'), roles('writer', 'orders-api-v1')]).toEqual([['Orders.ReadWrite'], ['Orders.ReadWrite']]);
    expect([roles('norole', 'orders-api'), roles('norole', 'orders-api-v1')]).toEqual([[], []]);
  });

  it('finds an API by App ID URI or client ID, case-insensitively, and a tenant by GUID or domain', async () => {
    const registry = await Registry.load(defaultRegistryPath());
    const api = registry.apiByName('orders-api')!;
    expect(registry.apiByResource('API://Orders-Api')).toBe(api);
    expect(registry.apiByResource(api.clientId.toUpperCase())).toBe(api);
    expect(registry.apiByResource('api://orders')).toBeUndefined();
    expect(registry.isTenant(registry.tenant.id.toUpperCase())).toBe(true);
    expect(registry.isTenant(registry.tenant.domain)).toBe(true);
    expect(registry.isTenant('common')).toBe(false);
  });

  it.each<[string, (json: Awaited<ReturnType<typeof shippedJson>>) => void, RegExp]>([
    ['a role the API does not define', (json) => ((json.clients[0] as { roles: Record<string, string[]> }).roles['orders-api'] = ['Orders.Delete']), /clients\.0\.roles\.orders-api orders-api defines no app role Orders\.Delete/],
    ['roles on an unknown API', (json) => ((json.clients[0] as { roles: Record<string, string[]> }).roles['billing-api'] = []), /no API named billing-api/],
    ['a client ID used twice', (json) => (json.clients[1]!.clientId = json.clients[0]!.clientId), /clients\.1\.clientId id .* is already used by clients\.0/],
    ['token version 3', (json) => (json.apis[0]!.requestedAccessTokenVersion = 3), /apis\.0\.requestedAccessTokenVersion/],
    ['a misspelt member', (json) => (json.apis[0]!.appIdUrl = 'api://x'), /apis\.0/],
    ['an App ID URI with a trailing slash', (json) => (json.apis[0]!.appIdUri = 'api://orders-api/'), /apis\.0\.appIdUri/],
  ])('refuses %s, naming where', async (_case, mutate, message) => {
    const json = await shippedJson();
    mutate(json);
    const error = (() => {
      try {
        Registry.parse(json, 'test-registry.json');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toMatch(/^test-registry\.json: invalid registry: /);
    expect((error as RegistryError).message).toMatch(message);
  });
});
