import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECK_NAMES, REQUEST_FAILURE_CODES, TOKEN_FAILURE_CODES, isCheckName as isPackageCheck } from 'azure-functions-entra-auth/errors';
import { APP_CHECKS, APP_FAILURES } from '../../lib/failures/appFailures';

/** Every code this app answers with: the auth package's and its own. */
const FAILURE_CODES: readonly string[] = [...TOKEN_FAILURE_CODES, ...REQUEST_FAILURE_CODES, ...Object.keys(APP_FAILURES)];
const isCheckName = (check: string) => isPackageCheck(check) || (APP_CHECKS as readonly string[]).includes(check);

/**
 * Codes and check names are telemetry dimensions: infra/kql and the alerts filter
 * and group on them, clients branch on codes. Names may be added, never renamed.
 */

/** Every code answered before the failure model was unified (and the Orders API's). */
const CODES_IN_USE = [
  'token_malformed', 'claim_invalid', 'alg_not_allowed', 'header_not_allowed', 'signature_invalid', 'key_not_found',
  'keys_unavailable', 'token_expired', 'token_not_yet_valid', 'audience_mismatch', 'issuer_mismatch', 'tenant_not_allowed',
  'client_app_not_allowed', 'token_version_not_allowed', 'not_access_token', 'token_missing', 'invalid_request',
  'insufficient_scope', 'tenant_mismatch', 'method_not_allowed', 'internal_error', 'invalid_parameter', 'invalid_json',
  'invalid_body', 'unsupported_media_type', 'body_too_large', 'order_not_found', 'backend_not_configured', 'backend_error',
  'backend_unreachable', 'backend_timeout', 'backend_redirect', 'backend_response_too_large', 'signing_unavailable',
  'signing_keys_unavailable',
];

/** Every check name emitted before the names were typed. */
const CHECKS_IN_USE = [
  'size', 'format', 'format.jwe', 'header.encoding', 'payload.encoding', 'signature.encoding', 'header.json', 'payload.json',
  'header.alg', 'header.kid', 'header.typ', 'header.cty', 'header.nonce', 'header.jwk', 'header.jku', 'header.x5u', 'header.x5c',
  'header.crit', 'header.b64', 'header.zip', 'header.enc', 'claims.iss', 'claims.aud', 'claims.exp', 'claims.nbf', 'claims.iat',
  'claims.tid', 'claims.ver', 'claims.azp', 'claims.appid', 'claims.scp', 'claims.roles', 'key.issuer', 'signature',
  'openid.fetch', 'openid.invalid', 'jwks.fetch', 'jwks.invalid', 'keys', 'header.authorization', 'header.multiple_credentials',
  'request.query_token', 'request.multiple_methods', 'policy.method', 'caller.app_only_not_allowed', 'caller.delegated_not_allowed',
  'verifier',
];

const INFRA = join(__dirname, '..', '..', 'infra');

/** String literals compared with the code or check dimension in a query (==, =~, !=, in, !in, has, startswith). */
function literalsFor(dimension: 'code' | 'check', text: string): string[] {
  const found: string[] = [];
  const pattern = new RegExp(`\\b${dimension}\\)?\\s*(?:==|=~|!=|!in|in|has|startswith)\\s*\\(?((?:\\s*"[^"]*"\\s*,?)+)`, 'g');
  for (const match of text.matchAll(pattern)) for (const literal of (match[1] ?? '').matchAll(/"([^"]*)"/g)) found.push(literal[1] ?? '');
  return found;
}

function queryTexts(): [string, string][] {
  const kql = readdirSync(join(INFRA, 'kql')).filter((name) => name.endsWith('.kql')).map((name) => join(INFRA, 'kql', name));
  const bicep = readdirSync(join(INFRA, 'modules')).filter((name) => name.endsWith('.bicep')).map((name) => join(INFRA, 'modules', name));
  return [...kql, ...bicep].map((path) => [path, readFileSync(path, 'utf8')]);
}

describe('failure codes and check names', () => {
  it('keep every code already in use', () => {
    expect(FAILURE_CODES).toEqual(expect.arrayContaining(CODES_IN_USE));
    expect(new Set(FAILURE_CODES).size).toBe(FAILURE_CODES.length);
  });

  it('keep every check name already in use', () => {
    expect([...CHECK_NAMES, ...APP_CHECKS]).toEqual(expect.arrayContaining(CHECKS_IN_USE));
    expect(isCheckName('route.tenantId')).toBe(true);
    expect(isCheckName('claims.nope')).toBe(false);
  });

  it('cover every code and check that a query or alert in infra/ filters on', () => {
    const sample = 'customEvents | where tostring(customDimensions.code) in ("keys_unavailable", "key_not_found") | where check == "jwks.fetch"';
    expect(literalsFor('code', sample)).toEqual(['keys_unavailable', 'key_not_found']);
    expect(literalsFor('check', sample)).toEqual(['jwks.fetch']);
    for (const [path, text] of queryTexts()) {
      for (const code of literalsFor('code', text)) expect({ path, code, known: FAILURE_CODES.includes(code) }).toEqual({ path, code, known: true });
      for (const check of literalsFor('check', text)) expect({ path, check, known: isCheckName(check) }).toEqual({ path, check, known: true });
    }
  });
});
