import { app } from '@azure/functions';
import { ROUTES } from '../lib/app/routeTable';
import { appRuntime } from '../lib/app/runtime';

// Anonymous liveness: says whether the app is up and has token-signing keys, and nothing about its configuration.
app.http(ROUTES.health.name, {
  route: ROUTES.health.route,
  methods: [...ROUTES.health.methods],
  authLevel: 'anonymous',
  handler: () => ({
    status: 200,
    headers: { 'cache-control': 'no-store' },
    jsonBody: { status: 'ok', tokenSigningKeys: appRuntime().verifier.keysLoaded() ? 'loaded' : 'not_loaded' },
  }),
});
