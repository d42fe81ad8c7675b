import type { AppRuntime } from '../lib/app/runtime';

// The caller as this API sees it: lets a client check its token without pasting it into a website.
export function registerMe({ auth, routes }: AppRuntime): void {
  auth.registerRoute(routes.me, {
    GET: (_request, _context, principal) => ({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' },
      jsonBody: principal,
    }),
  });
}
