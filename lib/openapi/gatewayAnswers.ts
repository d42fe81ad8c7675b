import type { OpenApiObject } from 'azure-functions-entra-auth/openapi';
import { defineFailures } from 'azure-functions-entra-auth/errors';

/**
 * The answer only the API Management front door gives (infra/modules/apiManagement.bicep,
 * off by default): its per-caller rate limit. The function itself never rate-limits.
 * Written in API Management's own shape (rate-limit-by-key's body, not an RFC 9457
 * problem), so a client generated from the document reads it as it arrives.
 */
export const GATEWAY_RATE_LIMITED: OpenApiObject = {
  description: 'Only behind the API Management front door: this client app (azp/appid) made more calls than the per-caller limit allows in the period.',
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } } },
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['statusCode', 'message'],
        properties: { statusCode: { const: 429 }, message: { type: 'string' } },
      },
    },
  },
};

/** The 401 the gateway answers for a token it refuses: validate-azure-ad-token does not say which check failed. */
export const GATEWAY_FAILURES = defineFailures({
  gateway_token_invalid: {
    status: 401,
    challenge: 'invalid_token',
    detail: 'The API gateway refused the access token (only behind API Management); request a new token for this API.',
  },
});
