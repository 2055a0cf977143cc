/**
 * The admin page's order list: newest first, one status or all, or the orders one search term
 * names (our id, the merchant's order id, MixPay's traceId or link code). Pages are keyset pages
 * on (created_at, id), read straight off the 007_admin_indexes indexes (the merchant API lists in
 * the same order off the same indexes): page 5,000 costs what
 * page 1 costs, and an order created meanwhile never shifts a page.
 */
import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { orderStatusSchema } from '../merchant/api-schemas.ts';
import { type Order } from '../merchant/order-store.ts';
import { canonicalUuid, isUuid } from '../core/ids.ts';
import type { Database } from '../store/schema.ts';

export interface OrderCursor {
  createdAt: number;
  id: string;
}

/** `<created_at>.<id>`: opaque to the page, readable in a URL. */
export function encodeCursor(order: Pick<Order, 'created_at' | 'id'>): string {
  return `${order.created_at}.${order.id}`;
}

export function decodeCursor(value: string): OrderCursor | null {
  const match = /^(\d{1,16})\.([0-9a-f-]{36})$/i.exec(value);
  if (!match || !isUuid(match[2]!)) return null;
  return { createdAt: Number(match[1]), id: match[2]!.toLowerCase() };
}

export const orderSearchSchema = z.object({
  status: orderStatusSchema.optional(),
  q: z.string().trim().max(200).optional(),
  after: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const cursor = decodeCursor(v);
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'not a cursor this server gave out' });
      return cursor ?? undefined;
    }),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export type OrderSearch = z.infer<typeof orderSearchSchema>;

/** The page's query, newest first, one row more than the page to know whether another follows. */
export function orderSearchQuery(db: Kysely<Database>, search: OrderSearch) {
  let query = db.selectFrom('orders').selectAll();
  if (search.status) query = query.where('status', '=', search.status);
  if (search.q) {
    const q = search.q;
    query = query.where((eb) =>
      eb.or([
        ...(isUuid(q) ? [eb('id', '=', canonicalUuid(q)!)] : []),
        eb('merchant_order_id', '=', q),
        eb('mixpay_trace_id', '=', q),
        eb('mixpay_code', '=', q),
      ]),
    );
  }
  if (search.after) query = query.where(sql<boolean>`(created_at, id) < (${search.after.createdAt}, ${search.after.id})`);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit + 1);
}

export async function searchOrders(db: Kysely<Database>, search: OrderSearch): Promise<{ orders: Order[]; next: string | null }> {
  const rows = (await orderSearchQuery(db, search).execute()) as Order[];
  const page = rows.slice(0, search.limit);
  return { orders: page, next: rows.length > search.limit ? encodeCursor(page.at(-1)!) : null };
}
