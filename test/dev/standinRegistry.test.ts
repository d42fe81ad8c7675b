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

  it('serves External ID and B2C as tenants of their own: the shipped ones, or ones derived from the workforce tenant, stable', async () => {
    const registry = await Registry.load(defaultRegistryPath());
    expect([registry.externalIdTenant.id, registry.b2cTenant.id]).toEqual(['de700000-0000-4000-8000-000000000002', 'de700000-0000-4000-8000-000000000003']);
    const json = await shippedJson();
    delete json.externalIdTenant;
    delete json.b2cTenant;
    const derived = Registry.parse(json);
    const again = Registry.parse(json);
    expect(new Set([derived.tenant.id, derived.externalIdTenant.id, derived.b2cTenant.id]).size).toBe(3);
    expect(derived.externalIdTenant).toEqual(again.externalIdTenant);
    expect(derived.externalIdTenant.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([derived.externalIdTenant.domain, derived.b2cTenant.domain]).toEqual(['entra-standin-dev-ciam.onmicrosoft.com', 'entra-standin-dev-b2c.onmicrosoft.com']);
  });

  it.each<[string, (json: Awaited<ReturnType<typeof shippedJson>>) => void, RegExp]>([
    ['a role the API does not define', (json) => ((json.clients[0] as { roles: Record<string, string[]> }).roles['orders-api'] = ['Orders.Delete']), /clients\.0\.roles\.orders-api orders-api defines no app role Orders\.Delete/],
    ['roles on an unknown API', (json) => ((json.clients[0] as { roles: Record<string, string[]> }).roles['billing-api'] = []), /no API named billing-api/],
    ['a client ID used twice', (json) => (json.clients[1]!.clientId = json.clients[0]!.clientId), /clients\.1\.clientId id .* is already used by clients\.0/],
    ['token version 3', (json) => (json.apis[0]!.requestedAccessTokenVersion = 3), /apis\.0\.requestedAccessTokenVersion/],
    ['a misspelt member', (json) => (json.apis[0]!.appIdUrl = 'api://x'), /apis\.0/],
    ['an App ID URI with a trailing slash', (json) => (json.apis[0]!.appIdUri = 'api://orders-api/'), /apis\.0\.appIdUri/],
    ['an External ID tenant with the workforce tenant\'s ID', (json) => ((json.externalIdTenant as { id: string }).id = (json.tenant as { id: string }).id), /must have different IDs/],
    ['a B2C tenant whose domain is not {name}.onmicrosoft.com', (json) => ((json.b2cTenant as { domain: string }).domain = 'login.contoso.com'), /b2cTenant\.domain must be \{name\}\.onmicrosoft\.com/],
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
