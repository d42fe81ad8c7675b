import * as z from 'zod/mini';
import { outOfRange, typeMismatch, unrecognizedKeys } from 'azure-functions-entra-auth/settings';

/**
 * What a caller sends to create or replace an order. Unknown fields are refused, not ignored.
 * A refusal names the field and says why in zod's English words, named here (zod/mini loads no locale).
 */
export const orderInput = z.strictObject(
  {
    item: z.string({ error: typeMismatch }).check(z.trim(), z.minLength(1, { error: outOfRange }), z.maxLength(200, { error: outOfRange })),
    quantity: z
      .number({ error: typeMismatch })
      .check(z.int({ error: (issue) => typeMismatch(issue) ?? outOfRange(issue) }), z.minimum(1, { error: outOfRange }), z.maximum(10_000, { error: outOfRange })),
    note: z.optional(z.string({ error: typeMismatch }).check(z.maxLength(1_000, { error: outOfRange }))),
  },
  { error: (issue) => typeMismatch(issue) ?? unrecognizedKeys(issue) },
);

export type OrderInput = z.infer<typeof orderInput>;

export interface Order {
  readonly id: string;
  readonly tenantId: string;
  readonly item: string;
  readonly quantity: number;
  readonly note?: string | undefined;
  /** Who created it: the calling app, and the user or service principal. */
  readonly createdBy: { readonly clientAppId: string; readonly objectId: string | undefined };
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
