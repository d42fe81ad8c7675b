import type { HttpHandler } from '@azure/functions';
import type { AuthPolicy } from '../authz/authPolicy';
import type { AuthSettings } from '../settings/authSettings';

/**
 * What a protected handler enforces, as the app built it: tools (an inspector, an
 * OpenAPI generator) read it from the handlers an app registers, so they need nothing
 * of the app beyond its entry point.
 */
export interface ProtectedHandlerDescription {
  /** Each method's rule, checked and frozen. */
  readonly policy: AuthPolicy;
  /** The settings the app's verifier runs with. */
  readonly settings: AuthSettings;
  /** The `realm` of its challenges. */
  readonly realm: string;
}

// A registry-wide symbol, not a module-level map: the description travels with the
// handler, and a second copy of this package (a tool's) still reads it.
const DESCRIPTION = Symbol.for('azure-functions-entra-auth.protectedHandler');

/** The handler, carrying its description (a hidden, read-only property). */
export function describedHandler(handler: HttpHandler, description: ProtectedHandlerDescription): HttpHandler {
  Object.defineProperty(handler, DESCRIPTION, { value: Object.freeze({ ...description }), enumerable: false, writable: false, configurable: false });
  return handler;
}

/** What a handler built by `withAuth` or `routeHandler` enforces; undefined for any other value. */
export function describeProtectedHandler(handler: unknown): ProtectedHandlerDescription | undefined {
  if (typeof handler !== 'function') return undefined;
  const description: unknown = (handler as unknown as Record<symbol, unknown>)[DESCRIPTION];
  return typeof description === 'object' && description !== null ? (description as ProtectedHandlerDescription) : undefined;
}
