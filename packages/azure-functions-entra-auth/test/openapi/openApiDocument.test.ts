import { ANY_VALID_TOKEN, allOf, anyOf, defineAuthPolicy, defineRoute, defineFailures, type DeclaredPermissions } from '../../src/index';
import { openApiDocument, openApiPath, type AnonymousRoute, type OpenApiObject } from '../../src/openapi';

const declared: DeclaredPermissions = { appRoles: ['Invoices.Read', 'Invoices.Write'], scopes: ['Invoices.Read', 'Invoices.Write'] };
const security = { authority: 'https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/', appIdUri: 'api://invoices', permissions: declared };
const health: AnonymousRoute = { name: 'health', route: 'health', anonymous: true, methods: ['GET'] };
const invoices = defineRoute('invoices', 'invoices', defineAuthPolicy({ GET: { appRoles: anyOf('Invoices.Read', 'Invoices.Write'), scopes: anyOf('Invoices.Read') }, POST: { scopes: allOf('Invoices.Read', 'Invoices.Write') } }, declared));
const tenantInvoice = defineRoute('tenantInvoice', 'tenants/{tenantId}/invoices/{id:guid}', { GET: { appRoles: anyOf('Invoices.Read'), tenantRouteParam: 'tenantId' }, DELETE: ANY_VALID_TOKEN });
const APP = defineFailures({ invoice_not_found: { status: 404, challenge: 'none', detail: 'No such invoice.' }, store_down: { status: 503, challenge: 'none', retryable: true, detail: 'Retry.' } });

const document = () => openApiDocument({ info: { title: 'Invoices', version: '1' }, routes: [health, invoices, tenantInvoice], security, operations: { tenantInvoice: { GET: { failures: [APP.invoice_not_found, APP.store_down] } } } });
/** An operation, its shared answers (components/responses) resolved. */
const op = (path: string, method: string): Record<string, unknown> & { responses: Record<string, OpenApiObject> } => {
  const built = document();
  const operation = (built.paths[path] ?? {})[method] as Record<string, unknown> & { responses: Record<string, OpenApiObject> };
  const shared = built.components.responses as Record<string, OpenApiObject>;
  const resolve = (answer: OpenApiObject) => (typeof answer.$ref === 'string' ? (shared[answer.$ref.replace('#/components/responses/', '')] ?? {}) : answer);
  return { ...operation, responses: Object.fromEntries(Object.entries(operation.responses).map(([status, answer]) => [status, resolve(answer)])) };
};

describe('an OpenAPI document from a route table', () => {
  it('gives every route and method one operation, with an ID from the method and the route name', () => {
    expect(Object.keys(document().paths)).toEqual(['/health', '/invoices', '/tenants/{tenantId}/invoices/{id}']);
    expect(op('/invoices', 'get').operationId).toBe('getInvoices');
    expect(op('/tenants/{tenantId}/invoices/{id}', 'delete').operationId).toBe('deleteTenantInvoice');
  });

  it('leaves anonymous routes without security and without auth answers', () => {
    expect(op('/health', 'get')).toMatchObject({ security: [] });
    expect(Object.keys(op('/health', 'get').responses)).toEqual(['200']);
  });

  it('offers each permission of an anyOf as its own alternative and an allOf as one requirement', () => {
    expect(op('/invoices', 'get').security).toEqual([
      { entraAppToken: ['api://invoices/.default'] },
      { entraUserToken: ['api://invoices/Invoices.Read'] },
      { entraBearerToken: ['Invoices.Read'] },
      { entraBearerToken: ['Invoices.Write'] },
    ]);
    expect(op('/invoices', 'get')['x-entra-app-roles']).toEqual({ anyOf: ['Invoices.Read', 'Invoices.Write'] });
    expect(op('/invoices', 'post').security).toEqual([{ entraUserToken: ['api://invoices/Invoices.Read', 'api://invoices/Invoices.Write'] }, { entraBearerToken: ['Invoices.Read', 'Invoices.Write'] }]);
    expect(op('/invoices', 'post')['x-entra-app-only-tokens']).toBe('refused');
  });

  it('answers 401 with a required challenge and 403 insufficient_scope, tenant_mismatch only where the route names a tenant', () => {
    const get = op('/invoices', 'get').responses;
    expect(get['401']).toMatchObject({ headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } } });
    expect(JSON.stringify(get['403'])).not.toContain('tenant_mismatch');
    const tenant = op('/tenants/{tenantId}/invoices/{id}', 'get').responses;
    expect(tenant['403']).toMatchObject({ headers: { 'WWW-Authenticate': { required: false } } });
    expect(JSON.stringify(tenant['403'])).toContain('tenant_mismatch');
    expect(op('/tenants/{tenantId}/invoices/{id}', 'get')['x-entra-tenant-route-parameter']).toBe('tenantId');
  });

  it("merges the app's refusals with the package's by status, Retry-After required only when every code there carries it", () => {
    const answers = op('/tenants/{tenantId}/invoices/{id}', 'get').responses;
    expect(Object.keys(answers)).toEqual(['200', '400', '401', '403', '404', '500', '503']);
    expect(JSON.stringify(answers['503'])).toMatch(/keys_unavailable.*store_down/);
    expect(answers['503']).toMatchObject({ headers: { 'Retry-After': { $ref: '#/components/headers/Retry-After' } } });
  });

  it('writes an answer several operations give alike once, under components/responses', () => {
    const built = document();
    expect(Object.keys(built.components.responses as object)).toEqual(expect.arrayContaining(['Problem401']));
    expect((built.paths['/invoices'] ?? {}).get).toMatchObject({ responses: { 401: { $ref: '#/components/responses/Problem401' } } });
  });

  it('names the tenant v2 endpoints and the app roles in the schemes', () => {
    const schemes = document().components.securitySchemes as Record<string, Record<string, unknown>>;
    expect(schemes.entraAppToken).toMatchObject({
      flows: { clientCredentials: { tokenUrl: 'https://login.microsoftonline.com/11111111-1111-4111-8111-111111111111/oauth2/v2.0/token' } },
      'x-entra-app-roles': { 'Invoices.Read': expect.any(String) as unknown, 'Invoices.Write': expect.any(String) as unknown },
    });
    expect(schemes.entraUserToken).toMatchObject({ flows: { authorizationCode: { scopes: { 'api://invoices/Invoices.Read': expect.any(String) as unknown } } } });
  });

  it('refuses what it cannot describe: an unknown route, a method the route does not serve, an optional parameter', () => {
    const base = { info: { title: 'x', version: '1' }, routes: [health], security };
    expect(() => openApiDocument({ ...base, operations: { nosuch: {} } })).toThrow('route "nosuch", which is not in the route table');
    expect(() => openApiDocument({ ...base, operations: { health: { POST: {} } } })).toThrow('POST health, which the route does not serve');
    expect(() => openApiPath('files/{*rest}')).toThrow('no OpenAPI form');
    expect(() => openApiPath('orders/{id?}')).toThrow('no OpenAPI form');
  });
});
