import { ROUTES } from '../lib/app/routeTable';
import { registerProtectedRoute } from '../packages/azure-functions-entra-auth/src/functions/registerRoute';

// The caller as this API sees it: lets a client check its token without pasting it into a website.
registerProtectedRoute(ROUTES.me, {
  GET: (_request, _context, principal) => ({ status: 200, headers: { 'cache-control': 'no-store' }, jsonBody: principal }),
});
