import { ROUTES } from '../lib/app/routeTable';
import { registerProtectedRoute } from '../lib/app/registerRoutes';

// The caller as this API sees it: lets a client check its token without pasting it into a website.
registerProtectedRoute(ROUTES.me, {
  GET: (_request, _context, principal) => ({
    status: 200,
    headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
    jsonBody: principal,
  }),
});
