import { app } from '@azure/functions';
import type { AppRuntime } from '../lib/app/runtime';

// Anonymous liveness: says whether the app is up and has its keys (Entra's token-signing keys, its own
// assertion-signing key), whether the orders store answered its recent calls (from that traffic: a probe
// never calls the store), and nothing about its configuration.
export function registerHealth({ routes, auth, signing, ordersHealth }: AppRuntime): void {
  app.http(routes.health.name, {
    route: routes.health.route,
    methods: [...routes.health.methods],
    authLevel: 'anonymous',
    handler: () => {
      const state = (loaded: boolean) => (loaded ? 'loaded' : 'not_loaded');
      return {
        status: 200,
        headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
        jsonBody: {
          status: 'ok',
          tokenSigningKeys: state(auth.verifier.keysLoaded()),
          assertionSigningKeys: state(signing.keys.isLoaded()),
          ordersStore: ordersHealth.state(),
        },
      };
    },
  });
}
