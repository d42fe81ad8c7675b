import { app } from '@azure/functions';
import type { AppRuntime } from '../lib/app/runtime';
import { createOpenApiHandler } from '../lib/openapi/documentHandler';

// Anonymous: this API's OpenAPI 3.1 document (who may call what, never a secret). Not registered with OPENAPI_DOCUMENT=off.
export function registerOpenApi({ routes, openApiDocument }: AppRuntime): void {
  if (!openApiDocument) return;
  app.http(routes.openapi.name, {
    route: routes.openapi.route,
    methods: [...routes.openapi.methods],
    authLevel: 'anonymous',
    handler: createOpenApiHandler(openApiDocument),
  });
}
