import { app } from '@azure/functions';
import type { RevocationStatus } from 'azure-functions-entra-auth/revocation';
import type { AppRuntime } from '../lib/app/runtime';

// Anonymous liveness: says whether the app is up and has its keys (Entra's token-signing keys, its own
// assertion-signing key), whether the orders store answered its recent calls (from that traffic: a probe
// never calls the store), and nothing about its configuration.
export function registerHealth({ routes, auth, signing, ordersHealth, revocations }: AppRuntime): void {
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
          // The deny rules' state and age (never a store call); how many there are is not said.
          ...(revocations && { revocationRules: revocationHealth(revocations.list.status()) }),
        },
      };
    },
  });
}

function revocationHealth(status: RevocationStatus): { state: string; ageSeconds?: number } {
  return { state: status.state, ...(status.ageSeconds !== undefined && { ageSeconds: status.ageSeconds }) };
}
