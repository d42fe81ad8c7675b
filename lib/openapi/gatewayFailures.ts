import { defineFailures } from 'azure-functions-entra-auth/errors';

/**
 * Answers only the API Management front door gives (infra/modules/apiManagement.bicep,
 * off by default): the function itself never rate-limits. Documented so a client
 * generated from the document knows the shape when the gateway is in front.
 */
export const GATEWAY_FAILURES = defineFailures({
  rate_limited: {
    status: 429,
    challenge: 'none',
    retryable: true,
    detail: 'Too many requests from this client app; retry after the time given (only behind the API Management front door).',
  },
});
