import { app } from '@azure/functions';
import type { AppRuntime } from '../lib/app/runtime';

// Anonymous: the public keys backends verify this app's identity assertions with (kid = Key Vault key version).
export function registerJwks({ routes, signing }: AppRuntime): void {
  app.http(routes.jwks.name, {
    route: routes.jwks.route,
    methods: [...routes.jwks.methods],
    authLevel: 'anonymous',
    handler: signing.jwks,
  });
}
