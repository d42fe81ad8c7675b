import type { HttpHandler } from '@azure/functions';

/**
 * GET /api/openapi.json. The document is built on the first request, not at start
 * (no cold-start cost for an app nobody asks), then served as the same bytes.
 */
export function createOpenApiHandler(build: () => object): HttpHandler {
  let body: string | undefined;
  return () => {
    body ??= JSON.stringify(build());
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'cache-control': 'public, max-age=300' },
      body,
    };
  };
}
