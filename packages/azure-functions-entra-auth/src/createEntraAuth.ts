// The one value taken from @azure/functions: `app`, whose registrations live in the module
// copy the Functions host loaded. As a peer dependency it resolves to the app's own copy.
import { app, type HttpHandler, type HttpMethod } from '@azure/functions';
import { defineAuthPolicy, type AuthPolicy, type DeclaredPermissions } from './authz/authPolicy';
import type { KeySetEvents } from './entra/entraKeyStore';
import { invocationLogObserver, type AuthObserver } from './functions/authEvents';
import { describedHandler } from './functions/protectedHandlerDescription';
import type { HandlersFor, ProtectedRoute } from './functions/protectedRoute';
import { createGuard, methodsOf, type AuthenticatedHandler } from './functions/withAuth';
import type { FetchLike } from './net/fetchJson';
import { revocationCheck } from './revocation/revocationCheck';
import type { RevocationList } from './revocation/revocationList';
import { createNodeHttpFetch } from './net/nodeHttpFetch';
import { resolveAuthSettings, type AuthOptions } from './settings/authOptions';
import type { AuthSettings } from './settings/authSettings';
import type { HostEnvironment } from './settings/hostEnvironment';
import type { SettingsSource } from './settings/settingsSource';
import { createAccessTokenVerifier } from './verify/createAccessTokenVerifier';
import { createAuthorityVerifier } from './authorities/createAuthorityVerifier';
import type { AccessTokenVerifier } from './verify/verifiedAccessToken';

export interface EntraAuthOptions extends AuthOptions {
  /**
   * Defaults of the options, as AUTH_* variables: pass `process.env` (the composition
   * root's, read once). Nothing is read from the environment unless given here.
   */
  readonly env?: SettingsSource;
  /** The app roles and scopes the app registration declares: every policy is checked against them at startup. */
  readonly permissions?: DeclaredPermissions;
  /** Where refusals and successes are reported; default: the invocation log. */
  readonly observer?: AuthObserver;
  readonly keySetEvents?: KeySetEvents;
  /** How Entra's discovery documents and key sets are fetched; default node:http(s). */
  readonly fetch?: FetchLike;
  /** Milliseconds since the epoch; default Date.now. */
  readonly now?: () => number;
  /** Relative AUTH_INSTANCE_CA_FILE paths resolve against this; default the working directory. */
  readonly baseDir?: string;
  /** Whether the app runs in Azure, if the app decided it already; default: read from `env`. */
  readonly host?: HostEnvironment;
  /**
   * AUTH_* variables of the app's own in `env`. Any other AUTH_* name the package does
   * not read stops the app at startup, as the misspelling it most likely is.
   */
  readonly ignoreSettings?: readonly string[];
  /**
   * A deny list (createRevocationList of azure-functions-entra-auth/revocation): every
   * verified token, cached ones included, is checked against it before authorization.
   */
  readonly revocation?: RevocationList;
}

/** What an app builds once, at startup, and passes to its function files. */
export interface EntraAuth {
  readonly settings: AuthSettings;
  readonly verifier: AccessTokenVerifier;
  /** The `realm` of every challenge: the App ID URI, or api://{client ID}. */
  readonly realm: string;
  /** Checks a policy against the declared permissions, once, and freezes it. */
  policy<P extends AuthPolicy>(rules: P): Readonly<P>;
  /** One handler behind a policy: each method the policy names runs it once its rule is met; others get 405. */
  withAuth(handler: AuthenticatedHandler, policy: AuthPolicy): HttpHandler;
  /** A route's HTTP handler: each method's rule paired with its handler, resolved once. */
  routeHandler<R extends ProtectedRoute>(route: R, handlers: HandlersFor<R>): HttpHandler;
  /**
   * Registers a protected HTTP function with the Functions host (`app.http`): the
   * methods are the policy's, function-key auth is off (every request is authorized
   * by its Entra token).
   */
  registerRoute<R extends ProtectedRoute>(route: R, handlers: HandlersFor<R>): void;
}

/**
 * Builds the verifier and the Functions adapter from options (AUTH_* variables as
 * their defaults). Throws SettingsError naming a bad setting, and TypeError for a
 * policy that names an undeclared permission, so a misconfigured app fails at start.
 */
export function createEntraAuth(options: EntraAuthOptions): EntraAuth {
  const { env, permissions, observer, keySetEvents, fetch, now, baseDir, host, ignoreSettings, revocation, ...authOptions } = options;
  const { settings, instanceCaPem } = resolveAuthSettings(authOptions, env, {
    ...(baseDir !== undefined && { baseDir }),
    ...(host && { host }),
    ...(ignoreSettings && { ignoreSettings }),
  });
  const verifierDependencies = {
    fetch: fetch ?? createNodeHttpFetch(instanceCaPem === undefined ? {} : { ca: instanceCaPem }),
    ...(now && { now }),
    ...(keySetEvents && { events: keySetEvents }),
  };
  // One workforce authority (the AUTH_* form) keeps the single verifier, whose issuer step is its routing;
  // several go through the router, which picks the authority by exact iss before any key is looked up.
  const [first] = settings.authorities;
  const verifier =
    settings.authorities.length === 1 && first?.kind === 'workforce' && first.allowedClientApps === undefined
      ? createAccessTokenVerifier(settings, { ...verifierDependencies, authority: Object.freeze({ name: first.name, kind: first.kind }) })
      : createAuthorityVerifier(settings, verifierDependencies);
  const realm = settings.appIdUri ?? `api://${settings.clientId}`;
  const guard = createGuard({
    verifier,
    observer: observer ?? invocationLogObserver,
    realm,
    authorize: { allowTokensWithoutPermissions: settings.allowTokensWithoutPermissions, authorities: settings.authorities },
    ...(revocation && { revocation: revocationCheck(revocation) }),
  });
  const policy = <P extends AuthPolicy>(rules: P): Readonly<P> => defineAuthPolicy(rules, permissions, settings.authorities);

  const routeHandler = <R extends ProtectedRoute>(route: R, handlers: HandlersFor<R>): HttpHandler => {
    const byMethod = handlers as Readonly<Record<string, AuthenticatedHandler | undefined>>;
    const checked = policy(route.policy);
    for (const method of Object.keys(byMethod)) {
      if (!Object.hasOwn(checked, method)) throw new TypeError(`route ${route.name}: a handler for ${method}, which its policy does not name`);
    }
    const handler = guard(
      methodsOf(checked, (method) => {
        const handler = byMethod[method];
        if (typeof handler !== 'function') throw new TypeError(`route ${route.name}: no handler for ${method}, which its policy names`);
        return handler;
      }),
    );
    return describedHandler(handler, { policy: checked, settings, realm });
  };

  return Object.freeze({
    settings,
    verifier,
    realm,
    policy,
    withAuth: (handler: AuthenticatedHandler, rules: AuthPolicy) => {
      const checked = policy(rules);
      return describedHandler(guard(methodsOf(checked, () => handler)), { policy: checked, settings, realm });
    },
    routeHandler,
    registerRoute<R extends ProtectedRoute>(route: R, handlers: HandlersFor<R>): void {
      const handler = routeHandler(route, handlers);
      app.http(route.name, { route: route.route, methods: Object.keys(route.policy) as HttpMethod[], authLevel: 'anonymous', handler });
    },
  });
}
