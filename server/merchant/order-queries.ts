/** Read-only order queries shared by the merchant API, the admin API and the CLI. */
import type { Kysely } from 'kysely';
import type { Database, OrderStatus } from '../store/schema.ts';
import type { Order } from './order-store.ts';

export interface OrderFilter {
  status?: OrderStatus[];
  merchant_order_id?: string | undefined;
  limit: number;
  offset: number;
}

/** Newest first, with the total count for paging. */
export async function listOrders(db: Kysely<Database>, filter: OrderFilter): Promise<{ orders: Order[]; total: number }> {
  let query = db.selectFrom('orders');
  if (filter.status?.length) query = query.where('status', 'in', filter.status);
  if (filter.merchant_order_id) query = query.where('merchant_order_id', '=', filter.merchant_order_id);
  const [rows, count] = await Promise.all([
    query.selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { orders: rows as Order[], total: Number(count.total) };
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
