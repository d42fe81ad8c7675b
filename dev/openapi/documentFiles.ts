import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { loadDeclaredPermissions } from '../../lib/app/permissions';
import { appRoutes } from '../../lib/app/routeTable';
import { PLACEHOLDER_SECURITY, appOpenApiDocument } from '../../lib/openapi/appDocument';
import { gatewayAuthorityPolicies } from '../../lib/openapi/gatewayAuthorityPolicies';
import { POLICY_PLACEHOLDERS, gatewayPolicies } from '../../lib/openapi/gatewayPolicies';

/**
 * The committed description of the API (openapi/): the document, with a placeholder
 * tenant and App ID URI (a deployment serves its own at /api/openapi.json), and the
 * TypeScript types openapi-typescript makes of it, for openapi-fetch clients.
 */
export const OPENAPI_DIR = 'openapi';
export const DOCUMENT_FILE = path.join(OPENAPI_DIR, 'openapi.json');
export const TYPES_FILE = path.join(OPENAPI_DIR, 'ordersApi.d.ts');
/** What infra/modules/apiManagement.bicep loads: the Bicep build copies infra/ alone, so its inputs live there. */
export const GATEWAY_DIR = path.join('infra', 'apim');
export const GATEWAY_DOCUMENT_FILE = path.join(GATEWAY_DIR, 'openapi.json');
export const GATEWAY_POLICIES_FILE = path.join(GATEWAY_DIR, 'operationPolicies.json');
/** The policies for a deployment with several authorities (skeletons and branch templates). */
export const GATEWAY_AUTHORITY_POLICIES_FILE = path.join(GATEWAY_DIR, 'authorityPolicies.json');

/** The document as it is written to openapi/openapi.json: two-space JSON and a final newline. */
export function renderDocument(): string {
  const declared = loadDeclaredPermissions();
  return `${JSON.stringify(appOpenApiDocument(appRoutes(declared), declared, PLACEHOLDER_SECURITY), null, 2)}\n`;
}

/**
 * The document API Management imports: the same operations, with placeholders the Bicep
 * module replaces by the cloud's sign-in host, the tenant and the App ID URI; without
 * indentation (Bicep's loadTextContent takes at most 131072 characters).
 */
export function renderGatewayDocument(): string {
  const declared = loadDeclaredPermissions();
  const security = { authority: `https://entra-authority.invalid/${POLICY_PLACEHOLDERS.tenantId}`, appIdUri: POLICY_PLACEHOLDERS.appIdUri };
  return `${JSON.stringify(appOpenApiDocument(appRoutes(declared), declared, security))}\n`;
}

/** Each operation's policy, as the Bicep module loops over them: API Management's operation name and the XML with placeholders. */
export function renderGatewayPolicies(): string {
  const declared = loadDeclaredPermissions();
  const policies = gatewayPolicies(appRoutes(declared), declared).map(({ operationName, method, path: route, xml }) => ({ operationName, method, path: route, xml }));
  return `${JSON.stringify(policies, null, 2)}\n`;
}

/**
 * The several-authority policies, as the Bicep module assembles them per deployment: each
 * operation's skeleton and branch templates. Without indentation, as the gateway document
 * (Bicep's loadJsonContent has a size limit too).
 */
export function renderGatewayAuthorityPolicies(): string {
  const declared = loadDeclaredPermissions();
  return `${JSON.stringify(gatewayAuthorityPolicies(appRoutes(declared), declared))}\n`;
}

/** openapi-typescript's types for the document at `documentPath` (its CLI, so the committed file is exactly what a user gets). */
export function renderTypes(root: string, documentPath: string): string {
  const cli = path.join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  const run = spawnSync(process.execPath, [cli, documentPath], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
  if (run.status !== 0) throw new Error(`openapi-typescript failed (exit ${String(run.status)}): ${run.stderr.trim()}`);
  return run.stdout;
}
