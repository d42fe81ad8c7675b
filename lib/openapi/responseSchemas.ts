import * as z from 'zod/mini';
import { MAX_PAGE_SIZE } from '../orders/ordersApi';

/**
 * The bodies this API answers with, as zod schemas so that the document's JSON Schemas
 * come from one generator (z.toJSONSchema) for requests and answers alike. Requests are
 * validated with their schemas (orderInput); these answers are checked against the
 * document in the tests (test/openapi), which also pin them to the TypeScript types.
 */
const guidString = z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/));
const timestamp = z.iso.datetime();

export const orderSchema = z.object({
  id: guidString,
  tenantId: z.string(),
  item: z.string(),
  quantity: z.int(),
  note: z.optional(z.string()),
  createdBy: z.object({ clientAppId: z.string(), objectId: z.optional(z.string()) }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const orderPageSchema = z.object({
  value: z.array(orderSchema).check(z.maxLength(MAX_PAGE_SIZE)),
  nextLink: z.optional(z.string().check(z.regex(/^\/api\/.*[?&]continuation=/))),
});

export const fulfilmentSchema = z.object({ orderId: guidString, fulfilment: z.unknown() });

const loaded = z.enum(['loaded', 'not_loaded']);
export const healthSchema = z.object({
  status: z.literal('ok'),
  tokenSigningKeys: loaded,
  assertionSigningKeys: loaded,
  ordersStore: z.enum(['unknown', 'answering', 'not_answering']),
});

/** The caller as the API sees it (GET /api/me): the package's Principal. */
export const principalSchema = z.object({
  objectId: z.optional(z.string()),
  subject: z.optional(z.string()),
  tenantId: z.string(),
  clientAppId: z.string(),
  isAppOnly: z.boolean(),
  roles: z.array(z.string()),
  scopes: z.array(z.string()),
  tokenVersion: z.enum(['1.0', '2.0']),
  keyId: z.string(),
  claims: z.record(z.string(), z.unknown()),
});

export const jwksSchema = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string() })) });

/** A deny rule as the revocations API shows it (revocationView): times as ISO strings, never a token. */
export const revocationSchema = z.object({
  id: guidString,
  kind: z.enum(['clientApp', 'subject', 'token', 'tenant']),
  tenantId: z.optional(guidString),
  clientAppId: z.optional(guidString),
  objectId: z.optional(guidString),
  uti: z.optional(z.string()),
  issuedBefore: z.optional(timestamp),
  reason: z.string(),
  expiresAt: timestamp,
  createdAt: timestamp,
  createdBy: z.object({
    tenantId: z.string(),
    objectId: z.optional(z.string()),
    clientAppId: z.optional(z.string()),
    via: z.enum(['api', 'cli']),
    operator: z.optional(z.string()),
  }),
});

export const revocationListSchema = z.object({ value: z.array(revocationSchema) });
