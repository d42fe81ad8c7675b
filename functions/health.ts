import { app } from '@azure/functions';
import { ROUTES } from '../lib/app/routeTable';
import { appRuntime } from '../lib/app/runtime';

// Anonymous liveness: says whether the app is up and has its keys (Entra's token-signing keys, its own
// assertion-signing key), whether the orders store answered its recent calls (from that traffic: a probe
// never calls the store), and nothing about its configuration.
app.http(ROUTES.health.name, {
  route: ROUTES.health.route,
  methods: [...ROUTES.health.methods],
  authLevel: 'anonymous',
  handler: () => {
    const { verifier, signing, ordersHealth } = appRuntime();
    const state = (loaded: boolean) => (loaded ? 'loaded' : 'not_loaded');
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
      jsonBody: { status: 'ok', tokenSigningKeys: state(verifier.keysLoaded()), assertionSigningKeys: state(signing.keys.isLoaded()), ordersStore: ordersHealth.state() },
    };
  },
});
