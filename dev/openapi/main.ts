import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findAppRoot } from 'azure-functions-entra-dev/toolkit';
import { DOCUMENT_FILE, GATEWAY_AUTHORITY_POLICIES_FILE, GATEWAY_DIR, GATEWAY_DOCUMENT_FILE, GATEWAY_POLICIES_FILE, OPENAPI_DIR, TYPES_FILE, renderDocument, renderGatewayAuthorityPolicies, renderGatewayDocument, renderGatewayPolicies, renderTypes } from './documentFiles';

/**
 * npm run openapi: writes openapi/openapi.json from the route table and the zod
 * schemas, then openapi/ordersApi.d.ts from it, and the API Management inputs
 * (infra/apim: the document, one policy per operation, and the several-authority skeletons and branch templates). `--check` writes nothing and exits 1
 * when either is out of date (as the jest test test/openapi/committedDocument.test.ts does).
 */
function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`npm run openapi: unknown argument ${unknown.join(' ')} (only --check)`);
    return 2;
  }
  const root = findAppRoot(__dirname);
  const documentPath = path.join(root, DOCUMENT_FILE);
  const typesPath = path.join(root, TYPES_FILE);
  const document = renderDocument();
  if (argv.includes('--check')) {
    // The types are made from the committed document, so they are judged only once it is current.
    const stale = [
      read(documentPath) !== document ? DOCUMENT_FILE : read(typesPath) !== renderTypes(root, documentPath) ? TYPES_FILE : undefined,
      read(path.join(root, GATEWAY_DOCUMENT_FILE)) !== renderGatewayDocument() ? GATEWAY_DOCUMENT_FILE : undefined,
      read(path.join(root, GATEWAY_POLICIES_FILE)) !== renderGatewayPolicies() ? GATEWAY_POLICIES_FILE : undefined,
      read(path.join(root, GATEWAY_AUTHORITY_POLICIES_FILE)) !== renderGatewayAuthorityPolicies() ? GATEWAY_AUTHORITY_POLICIES_FILE : undefined,
    ].filter((file) => file !== undefined);
    if (stale.length === 0) return 0;
    console.error(`out of date: ${stale.join(', ')}; run npm run openapi`);
    return 1;
  }
  mkdirSync(path.join(root, OPENAPI_DIR), { recursive: true });
  writeFileSync(documentPath, document);
  writeFileSync(typesPath, renderTypes(root, documentPath));
  mkdirSync(path.join(root, GATEWAY_DIR), { recursive: true });
  writeFileSync(path.join(root, GATEWAY_DOCUMENT_FILE), renderGatewayDocument());
  writeFileSync(path.join(root, GATEWAY_POLICIES_FILE), renderGatewayPolicies());
  writeFileSync(path.join(root, GATEWAY_AUTHORITY_POLICIES_FILE), renderGatewayAuthorityPolicies());
  console.log(`wrote ${[DOCUMENT_FILE, TYPES_FILE, GATEWAY_DOCUMENT_FILE, GATEWAY_POLICIES_FILE, GATEWAY_AUTHORITY_POLICIES_FILE].join(', ')}`);
  return 0;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

process.exitCode = main(process.argv.slice(2));
