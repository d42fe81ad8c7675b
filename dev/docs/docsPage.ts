/**
 * The docs page's own files: a page that loads Swagger UI from swagger-ui-dist (served
 * by this server, never a CDN) and a start script. The script is a file, not inline, so
 * the page's Content-Security-Policy can forbid inline script and every other origin.
 */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Orders API (local docs)</title>
  <link rel="stylesheet" href="/swagger-ui/swagger-ui.css">
  <style>body { margin: 0; } .local-note { font: 14px sans-serif; padding: 8px 16px; background: #fff8e1; border-bottom: 1px solid #e0c97f; }</style>
</head>
<body>
  <p class="local-note">Local only. Get a token with <code>npm run token</code> (add <code>-- --client reader</code> for the reader), press <b>Authorize</b>, paste it under <b>entraBearerToken</b>, then <b>Try it out</b> on any operation.</p>
  <div id="swagger-ui"></div>
  <script src="/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/docs-start.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io for its badge.
export const START_SCRIPT = `window.ui = SwaggerUIBundle({
  url: '/api/openapi.json',
  dom_id: '#swagger-ui',
  validatorUrl: null,
  deepLinking: true,
  displayOperationId: true,
  tryItOutEnabled: true,
  persistAuthorization: false,
});
`;

/** Only these files of swagger-ui-dist are served: a fixed list, so no path from the URL reaches the file system. */
export const SWAGGER_UI_FILES: Readonly<Record<string, string>> = Object.freeze({
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
});

/** Scripts, styles, images and calls from this origin only; Swagger UI's bundle needs inline styles. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
