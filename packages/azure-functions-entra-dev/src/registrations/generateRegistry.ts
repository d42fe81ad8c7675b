import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { RegistryData } from '../standin/registry';

/** A permissions file this command cannot read; the message names the file and what is wrong. */
export class PermissionsFileError extends Error {
  readonly code = 'permissions_file_invalid';

  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'PermissionsFileError';
  }
}

const value = z.string().regex(/^[^\s]{1,120}$/, { error: 'must be a permission value without spaces' });
const entry = z.union([value, z.looseObject({ value, isEnabled: z.boolean().optional() })]);
/**
 * The shapes an app keeps its permissions in: a list file such as this repository's
 * infra/permissions.json ({appRoles: [{value}], scopes: [{value}]}), the plain form the
 * auth package takes ({appRoles: ["A"], scopes: ["B"]}), or an Entra app manifest
 * (appRoles, api.oauth2PermissionScopes).
 */
const permissionsFile = z.union([
  z.looseObject({ appRoles: z.array(entry), scopes: z.array(entry) }),
  z.looseObject({ appRoles: z.array(entry), api: z.looseObject({ oauth2PermissionScopes: z.array(entry) }) }),
]);

export interface DeclaredValues {
  readonly appRoles: readonly string[];
  readonly scopes: readonly string[];
}

/** The enabled app role and scope values of a parsed permissions file. */
export function declaredValues(json: unknown, file: string): DeclaredValues {
  const parsed = permissionsFile.safeParse(json);
  if (!parsed.success) {
    throw new PermissionsFileError(file, 'expected {"appRoles": [...], "scopes": [...]} (values or {"value": ...} objects) or an Entra app manifest');
  }
  const enabled = (list: readonly z.infer<typeof entry>[]) =>
    list.flatMap((item) => (typeof item === 'string' ? [item] : item.isEnabled === false ? [] : [item.value]));
  const data = parsed.data;
  const appRoles = enabled(data.appRoles);
  const scopes = 'scopes' in data ? enabled(data.scopes as readonly z.infer<typeof entry>[]) : enabled((data as { api: { oauth2PermissionScopes: z.infer<typeof entry>[] } }).api.oauth2PermissionScopes);
  if (appRoles.length + scopes.length === 0) throw new PermissionsFileError(file, 'declares no enabled app role or scope');
  return { appRoles: [...new Set(appRoles)], scopes: [...new Set(scopes)] };
}

export interface GenerateOptions {
  /** The API's short name in the registry (token --api <name>). */
  readonly apiName: string;
  /** Default api://<apiName>. */
  readonly appIdUri?: string;
  /** The manifest's requestedAccessTokenVersion: 2 (Microsoft's default for new apps) or 1. */
  readonly tokenVersion?: 1 | 2;
  /** GUIDs and secrets; injectable so tests can compare whole files. */
  readonly uuid?: () => string;
  readonly secret?: () => string;
}

/** `Orders.ReadWrite` → `orders-readwrite`: a client name the registry accepts. */
export function clientNameFor(role: string): string {
  const name = role.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 64);
  return name === '' ? 'client' : name;
}

/**
 * Registrations for the stand-in from the app's declared permissions: one tenant, the
 * API with its app roles and scopes, one daemon client per app role holding just that
 * role, and `norole`, a client the tenant knows that holds none (every app should see it refused).
 */
export function generateRegistry(declared: DeclaredValues, options: GenerateOptions): RegistryData {
  const uuid = options.uuid ?? randomUUID;
  const secret = options.secret ?? (() => randomBytes(24).toString('base64url'));
  const permission = (value: string) => ({ id: uuid(), value });
  const clients = declared.appRoles.map((role) => ({
    name: clientNameFor(role),
    clientId: uuid(),
    servicePrincipalId: uuid(),
    secret: secret(),
    roles: { [options.apiName]: [role] },
  }));
  const taken = new Set(clients.map((client) => client.name));
  const noRoleName = taken.has('norole') ? 'norole-client' : 'norole';
  return {
    $comment: 'Dev-only app registrations for the local Entra stand-in (entra-dev). Every ID and secret here is fake: never reuse them in Azure.',
    tenant: { id: uuid(), domain: 'entra-dev.onmicrosoft.com', displayName: 'Entra stand-in (dev)' },
    apis: [
      {
        name: options.apiName,
        clientId: uuid(),
        servicePrincipalId: uuid(),
        appIdUri: options.appIdUri ?? `api://${options.apiName}`,
        requestedAccessTokenVersion: options.tokenVersion ?? 2,
        appRoles: declared.appRoles.map(permission),
        scopes: declared.scopes.map(permission),
      },
    ],
    clients: [...clients, { name: noRoleName, clientId: uuid(), servicePrincipalId: uuid(), secret: secret(), roles: {} }],
  };
}
