import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { GUID_PATTERN } from 'azure-functions-entra-auth/settings';
import { deepFreeze } from 'azure-functions-entra-auth/settings';

/** The registry file is missing, is not JSON, or describes registrations that cannot exist. */
export class RegistryError extends Error {
  readonly code = 'registry_invalid';

  constructor(
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'RegistryError';
  }
}

const guid = z
  .string()
  .regex(GUID_PATTERN, { error: 'must be a GUID' })
  .transform((value) => value.toLowerCase());
const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, { error: 'must be a short lowercase name (letters, digits, . _ -)' });
const permissionValue = z.string().regex(/^[^\s]{1,120}$/, { error: 'must be a permission value without spaces' });

const permission = z.strictObject({ id: guid, value: permissionValue, description: z.string().optional() });

const apiRegistration = z.strictObject({
  name,
  /** The API's application (client) ID: the `aud` of its v2 tokens. */
  clientId: guid,
  /** The object ID of the API's service principal in the tenant. */
  servicePrincipalId: guid,
  appIdUri: z.string().regex(/^(api:\/\/|https:\/\/)[^\s?#]+[^\s?#/]$/, { error: 'must be an App ID URI such as api://orders-api (no trailing slash)' }),
  /** The manifest's api.requestedAccessTokenVersion: the version of tokens issued FOR this API, whatever the endpoint. */
  requestedAccessTokenVersion: z.union([z.literal(1), z.literal(2)]),
  appRoles: z.array(permission),
  /** Delegated permissions (scp); listed for completeness, client_credentials never issues them. */
  scopes: z.array(permission),
});

const clientRegistration = z.strictObject({
  name,
  clientId: guid,
  /** The object ID of the client's service principal: the `oid` and `sub` of its app-only tokens. */
  servicePrincipalId: guid,
  secret: z.string().min(16, { error: 'must be at least 16 characters' }),
  /** App roles granted to this client, per API name. */
  roles: z.record(name, z.array(permissionValue)),
});

const tenant = z.strictObject({
  id: guid,
  domain: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { error: 'must be a domain name such as contoso.onmicrosoft.com' }),
  displayName: z.string().min(1),
});
/** A customer tenant's domain: its first label is the tenant name in {name}.ciamlogin.com / {name}.b2clogin.com. */
const customerTenant = z.strictObject({
  id: guid,
  domain: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.onmicrosoft\.com$/, { error: 'must be {name}.onmicrosoft.com, the name one lower-case DNS label' }),
  displayName: z.string().min(1),
});

const registryFile = z
  .strictObject({
    $comment: z.string().optional(),
    tenant,
    externalIdTenant: customerTenant.optional(),
    b2cTenant: customerTenant.optional(),
    apis: z.array(apiRegistration).min(1),
    clients: z.array(clientRegistration),
  })
  .superRefine((registry, ctx) => {
    const issue = (path: (string | number)[], message: string) => {
      ctx.addIssue({ code: 'custom', path, message });
    };
    const tenantIds = [registry.tenant.id, registry.externalIdTenant?.id, registry.b2cTenant?.id].filter((id) => id !== undefined);
    if (new Set(tenantIds).size !== tenantIds.length) issue([], 'tenant, externalIdTenant and b2cTenant must have different IDs: each is a tenant of its own');
    const seen = new Map<string, string>();
    const unique = (kind: string, value: string, path: (string | number)[]) => {
      const key = `${kind}:${value.toLowerCase()}`;
      const first = seen.get(key);
      if (first) issue(path, `${kind} ${value} is already used by ${first}`);
      else seen.set(key, path.slice(0, 2).join('.'));
    };
    registry.apis.forEach((api, i) => {
      unique('name', api.name, ['apis', i, 'name']);
      unique('id', api.clientId, ['apis', i, 'clientId']);
      unique('id', api.servicePrincipalId, ['apis', i, 'servicePrincipalId']);
      unique('App ID URI', api.appIdUri, ['apis', i, 'appIdUri']);
      for (const list of ['appRoles', 'scopes'] as const) {
        const values = new Set<string>();
        api[list].forEach((entry, j) => {
          if (values.has(entry.value)) issue(['apis', i, list, j, 'value'], `${entry.value} is listed twice`);
          values.add(entry.value);
        });
      }
    });
    registry.clients.forEach((client, i) => {
      unique('name', client.name, ['clients', i, 'name']);
      unique('id', client.clientId, ['clients', i, 'clientId']);
      unique('id', client.servicePrincipalId, ['clients', i, 'servicePrincipalId']);
      for (const [apiName, roles] of Object.entries(client.roles)) {
        const api = registry.apis.find((candidate) => candidate.name === apiName);
        if (!api) {
          issue(['clients', i, 'roles', apiName], `no API named ${apiName}`);
          continue;
        }
        for (const role of roles) {
          if (!api.appRoles.some((appRole) => appRole.value === role)) issue(['clients', i, 'roles', apiName], `${apiName} defines no app role ${role}`);
        }
      }
    });
  });

/** One app role or delegated scope of an API registration. */
export interface PermissionRegistration {
  readonly id: string;
  readonly value: string;
  readonly description?: string | undefined;
}

export interface ApiRegistration {
  readonly name: string;
  /** The API's application (client) ID: the `aud` of its v2 tokens. */
  readonly clientId: string;
  /** The object ID of the API's service principal in the tenant. */
  readonly servicePrincipalId: string;
  readonly appIdUri: string;
  /** The manifest's api.requestedAccessTokenVersion: the version of tokens issued FOR this API, whatever the endpoint. */
  readonly requestedAccessTokenVersion: 1 | 2;
  readonly appRoles: readonly PermissionRegistration[];
  readonly scopes: readonly PermissionRegistration[];
}

export interface ClientRegistration {
  readonly name: string;
  readonly clientId: string;
  /** The object ID of the client's service principal: the `oid` and `sub` of its app-only tokens. */
  readonly servicePrincipalId: string;
  readonly secret: string;
  /** App roles granted to this client, per API name. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

export interface TenantRegistration {
  readonly id: string;
  readonly domain: string;
  readonly displayName: string;
}

/**
 * The content of local.entra.json, written out (not inferred from the schema) so the
 * package's public types need no zod: a consumer's compiler never reads zod's declarations.
 * Registry.parse hands the schema's output on as RegistryData, so the compiler checks they agree.
 */
export interface RegistryData {
  readonly $comment?: string | undefined;
  readonly tenant: TenantRegistration;
  /** The stand-in's Entra External ID tenant (`/_ciam`); default derived from `tenant`. */
  readonly externalIdTenant?: TenantRegistration | undefined;
  /** The stand-in's Azure AD B2C tenant (`/_b2c`); default derived from `tenant`. */
  readonly b2cTenant?: TenantRegistration | undefined;
  readonly apis: readonly ApiRegistration[];
  readonly clients: readonly ClientRegistration[];
}


/**
 * A customer tenant for a registry that names none: an ID derived from the workforce
 * tenant's (stable, so tokens and settings survive restarts) and `{label}-{suffix}` as its name.
 */
function derivedTenant(workforce: TenantRegistration, suffix: string, kind: string): TenantRegistration {
  const hex = createHash('sha256').update(`${workforce.id}:${suffix}`).digest('hex');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  const label = (workforce.domain.split('.')[0] ?? 'standin').toLowerCase().slice(0, 58).replace(/-+$/, '');
  return Object.freeze({ id, domain: `${label}-${suffix}.onmicrosoft.com`, displayName: `${workforce.displayName} (${kind})` });
}

/** The registrations the stand-in knows, with the look-ups its endpoints need. */
export class Registry {
  private constructor(private readonly data: RegistryData) {}

  /** Validates parsed JSON; `source` names it in errors. */
  static parse(json: unknown, source = 'registry'): Registry {
    const result = registryFile.safeParse(json);
    if (!result.success) {
      const details = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ');
      throw new RegistryError(source, `invalid registry: ${details}`);
    }
    return new Registry(deepFreeze(result.data));
  }

  static async load(file: string): Promise<Registry> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new RegistryError(file, 'cannot read the registry file', { cause });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new RegistryError(file, 'the registry file is not valid JSON', { cause });
    }
    return Registry.parse(json, file);
  }

  get tenant(): TenantRegistration {
    return this.data.tenant;
  }

  /**
   * The tenant the stand-in serves as an Entra External ID tenant: a tenant of its own, as
   * a real one is (its own ID in issuers and `tid`), with this registry's apps and clients.
   */
  get externalIdTenant(): TenantRegistration {
    return this.data.externalIdTenant ?? derivedTenant(this.data.tenant, 'ciam', 'External ID');
  }

  /** The tenant the stand-in serves as an Azure AD B2C tenant. */
  get b2cTenant(): TenantRegistration {
    return this.data.b2cTenant ?? derivedTenant(this.data.tenant, 'b2c', 'B2C');
  }

  get apis(): readonly ApiRegistration[] {
    return this.data.apis;
  }

  get clients(): readonly ClientRegistration[] {
    return this.data.clients;
  }

  /** Whether a tenant path segment (GUID or domain, any case) names this tenant. */
  isTenant(segment: string): boolean {
    const lower = segment.toLowerCase();
    return lower === this.data.tenant.id || lower === this.data.tenant.domain.toLowerCase();
  }

  clientById(clientId: string): ClientRegistration | undefined {
    const lower = clientId.toLowerCase();
    return this.data.clients.find((client) => client.clientId === lower);
  }

  clientByName(clientName: string): ClientRegistration | undefined {
    return this.data.clients.find((client) => client.name === clientName);
  }

  apiByName(apiName: string): ApiRegistration | undefined {
    return this.data.apis.find((api) => api.name === apiName);
  }

  /** The API a resource identifier names: its App ID URI or its client ID, as Entra accepts either (case-insensitively). */
  apiByResource(resource: string): ApiRegistration | undefined {
    const lower = resource.toLowerCase();
    return this.data.apis.find((api) => api.clientId === lower || api.appIdUri.toLowerCase() === lower);
  }

  /** The app roles `client` holds on `api`; empty when none are assigned. */
  rolesOf(client: ClientRegistration, api: ApiRegistration): readonly string[] {
    return client.roles[api.name] ?? [];
  }
}
