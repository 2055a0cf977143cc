/** Orders written straight to the store, for tests and measurements that need many of them quickly. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../server/store/db.ts';
import type { OrderStatus } from '../../server/store/schema.ts';

/** Inserts `count` orders in batches; `createdAt(i)` and `status(i)` pick each one's time and status. */
export async function seedOrders(
  store: Store,
  count: number,
  options: { createdAt?: (i: number) => number; status?: (i: number) => OrderStatus; batch?: number } = {},
): Promise<string[]> {
  const ids: string[] = [];
  const batch = options.batch ?? 500;
  for (let start = 0; start < count; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + batch); i++) {
      const id = randomUUID();
      ids.push(id);
      const at = options.createdAt?.(i) ?? 1_700_000_000_000 + i;
      rows.push({
        id,
        title: `seeded ${i}`,
        description: '',
        price_amount: '1.00',
        price_currency: 'USD',
        quote_asset_id: 'usd',
        settlement_asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5',
        payee_id: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a',
        status: options.status?.(i) ?? 'NEW',
        mixpay_order_id: randomUUID(),
        expires_at: at + 900_000,
        version: 1,
        created_at: at,
        updated_at: at,
      });
    }
    await store.db.insertInto('orders').values(rows).execute();
  }
  return ids;
}
