/** Read-only order queries shared by the merchant API, the admin API and the CLI. */
import type { Kysely } from 'kysely';
import type { Database, OrderStatus } from '../store/schema.ts';
import type { Order } from './order-store.ts';

/** Where a page starts: the last order of the previous page, in the list's order. */
export interface OrderListPosition {
  created_at: number;
  id: string;
}

export interface OrderFilter {
  status?: OrderStatus[];
  merchant_order_id?: string | undefined;
  limit: number;
  offset: number;
  /** Keyset paging: only orders after this one (newest first, then by id); see `encodeOrderCursor`. */
  after?: OrderListPosition | undefined;
  /** Count every matching order too (default on, for the admin API and the CLI). The count grows with the table (issue 12 §5): the merchant API asks for it only with `offset`. */
  withTotal?: boolean;
}

export interface OrderPage {
  orders: Order[];
  /** Only when asked for (`withTotal`): the number of matching orders. */
  total?: number;
  has_more: boolean;
  /** Pass back as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/**
 * Newest first (created_at desc, id desc, as the admin page), read backwards off the
 * `orders_created_idx` (or, with a status, `orders_status_created_idx`) index: a page costs the
 * same at 1k orders as at 100k. One row more than asked tells whether another page follows.
 */
export async function listOrders(db: Kysely<Database>, filter: OrderFilter): Promise<OrderPage> {
  const rows = (await orderListQuery(db, filter).execute()) as Order[];
  const has_more = rows.length > filter.limit;
  const orders = has_more ? rows.slice(0, filter.limit) : rows;
  const last = orders.at(-1);
  const result: OrderPage = { orders, has_more, next_cursor: has_more && last ? encodeOrderCursor(last) : null };
  if (filter.withTotal ?? true) {
    const count = await matching(db, filter).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    result.total = Number(count.total);
  }
  return result;
}

/** The orders the filter names, in no order. */
function matching(db: Kysely<Database>, filter: OrderFilter) {
  let query = db.selectFrom('orders');
  if (filter.status?.length) query = query.where('status', 'in', filter.status);
  if (filter.merchant_order_id) query = query.where('merchant_order_id', '=', filter.merchant_order_id);
  return query;
}

/** One page of the list and one order more, newest first (the query the index plan test reads). */
export function orderListQuery(db: Kysely<Database>, filter: OrderFilter) {
  let page = matching(db, filter);
  const after = filter.after;
  if (after) {
    // `created_at <= t` on its own lets both databases start the index scan at the position;
    // the OR then only skips the orders of that same millisecond already shown.
    page = page
      .where('created_at', '<=', after.created_at)
      .where((eb) => eb.or([eb('created_at', '<', after.created_at), eb('id', '<', after.id)]));
  }
  return page.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit + 1).offset(filter.offset);
}

/** An opaque page token: the position of the page's last order. */
export function encodeOrderCursor(order: OrderListPosition): string {
  return Buffer.from(`${order.created_at}.${order.id}`).toString('base64url');
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function decodeOrderCursor(cursor: string): OrderListPosition | undefined {
  const match = /^(\d{1,16})\.([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? { created_at: Number(match[1]), id: match[2]! } : undefined;
}

/** Where the page after this order starts (`starting_after=<order_id>`), or undefined for an unknown id. */
export async function positionOfOrder(db: Kysely<Database>, id: string): Promise<OrderListPosition | undefined> {
  return db.selectFrom('orders').select(['created_at', 'id']).where('id', '=', id).executeTakeFirst();
}

/** An order's history, oldest first, with `detail` parsed back from JSON. */
export async function historyOf(db: Kysely<Database>, orderId: string) {
  const rows = await db.selectFrom('order_events').selectAll().where('order_id', '=', orderId).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => ({
    at: new Date(row.created_at).toISOString(),
    at_t: row.created_at,
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    detail: row.detail ? (JSON.parse(row.detail) as unknown) : null,
  }));
}
