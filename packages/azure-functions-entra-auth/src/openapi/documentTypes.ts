import type { HttpMethod } from '@azure/functions';
import type { FailureDefinition } from '../errors/failureDefinition';
import type { DeclaredPermissions } from '../authz/authPolicy';
import type { ProtectedRoute } from '../functions/protectedRoute';

/**
 * The OpenAPI 3.1 parts an app writes (parameters, bodies, success answers) are plain
 * JSON objects: the package does not model the whole specification, it only builds
 * the parts that come from the route table and the auth rules.
 */
export type OpenApiObject = { readonly [key: string]: unknown };

/** An HTTP function that needs no token (health, a key set, the document itself). */
export interface AnonymousRoute {
  readonly name: string;
  readonly route: string;
  readonly anonymous: true;
  readonly methods: readonly HttpMethod[];
}

/** Any entry of an app's route table. */
export type DocumentedRoute = ProtectedRoute | AnonymousRoute;

/** What the app knows about one operation and the route table does not. */
export interface OperationDetails {
  /** Default: the method in lower case and the route name, e.g. `getOrders`. */
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** Query and header parameters; a path parameter given here replaces the plain string one. */
  readonly parameters?: readonly OpenApiObject[];
  readonly requestBody?: OpenApiObject;
  /** The answers of a handled request, by status: 200, 201, 204... */
  readonly responses?: Readonly<Record<string, OpenApiObject>>;
  /** The app's own refusals (defineFailures) this operation can answer with. */
  readonly failures?: readonly FailureDefinition[];
}

/** Operation details by route name, then by method. */
export type OperationCatalogue = Readonly<Record<string, Readonly<Partial<Record<HttpMethod, OperationDetails>>>>>;

/** Where callers get tokens for this API, and what it defines. */
export interface EntraSecurityDescription {
  /** The tenant's authority, e.g. https://login.microsoftonline.com/{tenant ID}; the v2 endpoints are under it. */
  readonly authority: string;
  /** The API's App ID URI (also the realm of every challenge), e.g. api://{client ID}. */
  readonly appIdUri: string;
  readonly permissions: DeclaredPermissions;
  /** What each app role and delegated scope allows, for the readers of the document. */
  readonly descriptions?: { readonly appRoles?: Readonly<Record<string, string>>; readonly scopes?: Readonly<Record<string, string>> };
}

export interface OpenApiDocumentInput {
  readonly info: { readonly title: string; readonly version: string; readonly description?: string };
  readonly routes: readonly DocumentedRoute[];
  readonly security: EntraSecurityDescription;
  readonly operations?: OperationCatalogue;
  /** Named schemas the operations refer to with #/components/schemas/Name. */
  readonly schemas?: Readonly<Record<string, OpenApiObject>>;
  /** Default `[{ url: '/api' }]`: the Functions host's route prefix. */
  readonly servers?: readonly OpenApiObject[];
}

/** The document, as JSON. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: OpenApiObject;
  readonly servers: readonly OpenApiObject[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiObject>>>>;
  readonly components: OpenApiObject;
  readonly [extension: `x-${string}`]: unknown;
}
