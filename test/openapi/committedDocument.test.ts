import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { methodsOf } from 'azure-functions-entra-auth/openapi';
import { DOCUMENT_FILE, GATEWAY_DOCUMENT_FILE, GATEWAY_POLICIES_FILE, TYPES_FILE, renderDocument, renderGatewayDocument, renderGatewayPolicies, renderTypes } from '../../dev/openapi/documentFiles';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';

const root = path.join(__dirname, '../..');
const committed = (file: string) => readFileSync(path.join(root, file), 'utf8');

describe('the committed OpenAPI document (openapi/)', () => {
  it('is what the route table and the schemas make now (else: npm run openapi)', () => {
    // A plain equality, so a failure shows the first difference; the hint names the fix.
    const fresh = renderDocument();
    expect({ file: DOCUMENT_FILE, upToDate: committed(DOCUMENT_FILE) === fresh, fix: 'npm run openapi' }).toEqual({ file: DOCUMENT_FILE, upToDate: true, fix: 'npm run openapi' });
  });

  it('has the TypeScript types openapi-typescript makes of it (else: npm run openapi)', () => {
    expect(committed(TYPES_FILE) === renderTypes(root, path.join(root, DOCUMENT_FILE))).toBe(true);
  });

  it('has the API Management inputs the route table makes now (else: npm run openapi)', () => {
    expect({ file: GATEWAY_DOCUMENT_FILE, upToDate: committed(GATEWAY_DOCUMENT_FILE) === renderGatewayDocument() }).toEqual({ file: GATEWAY_DOCUMENT_FILE, upToDate: true });
    expect({ file: GATEWAY_POLICIES_FILE, upToDate: committed(GATEWAY_POLICIES_FILE) === renderGatewayPolicies() }).toEqual({ file: GATEWAY_POLICIES_FILE, upToDate: true });
  });

  it('passes the OpenAPI 3.1 schema validator', () => {
    const cli = path.join(root, 'node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
    for (const file of [DOCUMENT_FILE, GATEWAY_DOCUMENT_FILE]) {
      const run = spawnSync(process.execPath, [cli, path.join(root, file)], { encoding: 'utf8' });
      expect({ file, status: run.status, result: JSON.parse(run.stdout) as unknown }).toEqual({ file, status: 0, result: { valid: true } });
    }
    const document = JSON.parse(committed(DOCUMENT_FILE)) as { openapi: string };
    expect(document.openapi).toBe('3.1.0');
  });

  it('has one operation for every route and method of the route table, and no other', () => {
    const declared = loadDeclaredPermissions();
    const document = JSON.parse(committed(DOCUMENT_FILE)) as { paths: Record<string, Record<string, unknown>> };
    const inTable = Object.values(appRoutes(declared)).flatMap((route) => methodsOf(route).map((method) => `${method} /${route.route}`));
    const inDocument = Object.entries(document.paths).flatMap(([pathName, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${pathName}`));
    expect(inDocument.sort()).toEqual(inTable.sort());
  });
});
