import { z } from 'zod';

/** What a caller sends to create or replace an order. Unknown fields are refused, not ignored. */
export const orderInput = z.strictObject({
  item: z.string().trim().min(1).max(200),
  quantity: z.number().int().min(1).max(10_000),
  note: z.string().max(1_000).optional(),
});

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
