import type { OpenApiObject, OperationCatalogue } from 'azure-functions-entra-auth/openapi';
import { APP_FAILURES } from '../failures/appFailures';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../orders/ordersApi';
import { ref } from './jsonSchemas';

const F = APP_FAILURES;
const json = (schema: OpenApiObject) => ({ 'application/json': { schema } });
const ETAG = { ETag: { description: "The order's version: send it back in If-Match to replace or delete exactly this version.", required: true, schema: { type: 'string' } } };
const orderId = { name: 'id', in: 'path', required: true, description: 'The order ID (a GUID).', schema: { type: 'string', format: 'uuid' } };
const ifMatch = (required: string) => ({ name: 'If-Match', in: 'header', required: false, description: required, schema: { type: 'string' } });
const revocationId = { name: 'id', in: 'path', required: true, description: 'The rule ID (a GUID).', schema: { type: 'string', format: 'uuid' } };
const orderBody = { required: true, content: json(ref('OrderInput')) };
const paging: OpenApiObject[] = [
  { name: 'top', in: 'query', required: false, description: `Orders per page, 1-${MAX_PAGE_SIZE}.`, schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE } },
  {
    name: 'continuation',
    in: 'query',
    required: false,
    description: "Where the next page starts: take it from the previous page's nextLink, never build it.",
    schema: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9_-]+$' },
  },
];
const page = { 200: { description: "A page of the caller's tenant's orders, in ID order; nextLink while more follow.", content: json(ref('OrderPage')) } };
const bodyFailures = [F.invalid_json, F.invalid_body, F.body_too_large, F.unsupported_media_type];
const listFailures = [F.invalid_parameter, F.invalid_continuation, F.store_unavailable];
const tags = ['Orders'];

/**
 * What the route table does not say about each operation: parameters, bodies, the
 * success answers, and which of the app's own refusals (lib/failures/appFailures.ts)
 * each can give, read from the handlers in lib/orders and lib/signing. Routes not named
 * here (one added to the route table later) still appear, with a generic 200.
 */
export const APP_OPERATIONS: OperationCatalogue = {
  health: {
    GET: { operationId: 'getHealth', tags: ['Service'], summary: 'Whether the app is up and has its keys', responses: { 200: { description: 'Up.', content: json(ref('Health')) } } },
  },
  jwks: {
    GET: {
      operationId: 'getAssertionKeys',
      tags: ['Service'],
      summary: "The public keys of this app's identity assertions, for backends",
      responses: { 200: { description: 'The key set.', content: json(ref('JsonWebKeySet')) } },
      failures: [F.signing_keys_unavailable],
    },
  },
  openapi: {
    GET: { operationId: 'getOpenApiDocument', tags: ['Service'], summary: 'This document', responses: { 200: { description: 'The OpenAPI 3.1 document.', content: json({ type: 'object' }) } } },
  },
  me: {
    GET: { operationId: 'getMe', tags: ['Service'], summary: 'The caller as this API sees it', responses: { 200: { description: 'The verified principal.', content: json(ref('Principal')) } } },
  },
  orders: {
    GET: { operationId: 'listOrders', tags, summary: "List the caller's tenant's orders", parameters: paging, responses: page, failures: listFailures },
    POST: {
      operationId: 'createOrder',
      tags,
      summary: 'Create an order',
      requestBody: orderBody,
      responses: {
        201: {
          description: 'Created.',
          headers: { ...ETAG, Location: { description: 'The new order.', required: true, schema: { type: 'string' } } },
          content: json(ref('Order')),
        },
      },
      failures: [...bodyFailures, F.store_unavailable],
    },
  },
  order: {
    GET: {
      operationId: 'getOrder',
      tags,
      summary: 'Read an order',
      parameters: [orderId],
      responses: { 200: { description: 'The order.', headers: ETAG, content: json(ref('Order')) } },
      failures: [F.invalid_parameter, F.order_not_found, F.store_unavailable],
    },
    PUT: {
      operationId: 'replaceOrder',
      tags,
      summary: 'Replace an order, if unchanged since read',
      parameters: [orderId, ifMatch('Required: the ETag from reading the order (`*` is refused). Without it the answer is 428; with a stale one, 412.')],
      requestBody: orderBody,
      responses: { 200: { description: 'Replaced.', headers: ETAG, content: json(ref('Order')) } },
      failures: [F.invalid_parameter, ...bodyFailures, F.order_not_found, F.precondition_failed, F.precondition_required, F.store_unavailable],
    },
    DELETE: {
      operationId: 'deleteOrder',
      tags,
      summary: 'Delete an order',
      parameters: [orderId, ifMatch('Optional: delete only this version (412 if it changed).')],
      responses: { 204: { description: 'Deleted.' } },
      failures: [F.invalid_parameter, F.order_not_found, F.precondition_failed, F.store_unavailable],
    },
  },
  fulfilOrder: {
    POST: {
      operationId: 'fulfilOrder',
      tags,
      summary: 'Hand an order to the fulfilment backend, with a signed identity assertion',
      parameters: [orderId],
      responses: { 200: { description: "The backend's answer.", content: json(ref('Fulfilment')) } },
      failures: [
        F.invalid_parameter,
        F.order_not_found,
        F.store_unavailable,
        F.backend_not_configured,
        F.signing_unavailable,
        F.backend_error,
        F.backend_unreachable,
        F.backend_timeout,
        F.backend_redirect,
        F.backend_response_too_large,
      ],
    },
  },
  tenantOrders: {
    GET: {
      operationId: 'listTenantOrders',
      tags,
      summary: "List a tenant's orders (the tenant must be the token's)",
      parameters: [{ name: 'tenantId', in: 'path', required: true, description: "The token's tenant ID.", schema: { type: 'string' } }, ...paging],
      responses: page,
      failures: listFailures,
    },
  },
  revocations: {
    GET: {
      operationId: 'listRevocations',
      tags: ['Revocations'],
      summary: "The deny rules of the caller's tenant (app-only, Revocations.Manage)",
      responses: { 200: { description: 'Every rule the caller may see, newest first.', content: json(ref('RevocationList')) } },
      failures: [F.revocation_store_unavailable],
    },
    POST: {
      operationId: 'createRevocation',
      tags: ['Revocations'],
      summary: 'Refuse a client app, a user or service principal, one token or a tenant, within seconds on every instance',
      requestBody: { required: true, content: json(ref('RevocationInput')) },
      responses: {
        201: {
          description: 'The rule, in force on every instance within the refresh interval.',
          headers: { Location: { description: 'The new rule.', required: true, schema: { type: 'string' } } },
          content: json(ref('Revocation')),
        },
      },
      failures: [...bodyFailures, F.revocation_forbidden, F.revocation_store_unavailable],
    },
  },
  revocation: {
    GET: {
      operationId: 'getRevocation',
      tags: ['Revocations'],
      summary: 'One deny rule',
      parameters: [revocationId],
      responses: { 200: { description: 'The rule.', content: json(ref('Revocation')) } },
      failures: [F.invalid_parameter, F.revocation_not_found, F.revocation_store_unavailable],
    },
    DELETE: {
      operationId: 'deleteRevocation',
      tags: ['Revocations'],
      summary: 'Lift a deny rule',
      parameters: [revocationId],
      responses: { 204: { description: 'Lifted: tokens it refused are accepted again within the refresh interval.' } },
      failures: [F.invalid_parameter, F.revocation_not_found, F.revocation_store_unavailable],
    },
  },
};
