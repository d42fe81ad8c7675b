import { app } from '@azure/functions';
import { ROUTES } from '../lib/app/routeTable';
import { appRuntime } from '../lib/app/runtime';

const { signing } = appRuntime();

// Anonymous: the public keys backends verify this app's identity assertions with (kid = Key Vault key version).
app.http(ROUTES.jwks.name, {
  route: ROUTES.jwks.route,
  methods: [...ROUTES.jwks.methods],
  authLevel: 'anonymous',
  handler: signing.jwks,
});
