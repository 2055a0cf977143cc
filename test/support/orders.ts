/** Inserts orders straight into a store, for suites that exercise workers without minting links. */
import { randomUUID } from 'node:crypto';
import type { Store } from '../../server/store/db.ts';
import type { Insertable } from 'kysely';
import type { OrdersTable } from '../../server/store/schema.ts';
import { findOrder, type Order } from '../../server/merchant/order-store.ts';
import { TEST_PAYEE_ID } from './stack.ts';

export async function insertOrder(store: Store, fields: Partial<Insertable<OrdersTable>> & { now?: number } = {}): Promise<Order> {
  const { now = Date.now(), ...rest } = fields;
  const id = rest.id ?? randomUUID();
  await store.db
    .insertInto('orders')
    .values({
      id,
      merchant_order_id: 'shop-1',
      product_id: null,
      title: 'Test',
      description: '',
      price_amount: '10.5',
      price_currency: 'USD',
      quote_asset_id: 'usd',
      settlement_asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5',
      payee_id: TEST_PAYEE_ID,
      pay_amount: null,
      pay_currency: null,
      amount_due: null,
      status: 'NEW',
      failure_reason: null,
      callback_url: null,
      success_url: null,
      cancel_url: null,
      merchant_token: 'merchant-callback-token',
      mixpay_order_id: id,
      mixpay_code: `code-${id}`,
      mixpay_trace_id: null,
      checkout_url: null,
      universal_url: null,
      deep_link: null,
      expires_at: now + 900_000,
      created_at: now,
      updated_at: now,
      settle_status: null,
      settle_amount: null,
      settle_asset: null,
      settle_symbol: null,
      next_check_at: null,
      last_checked_at: null,
      ...rest,
    })
    .execute();
  return (await findOrder(store.db, id))!;
}

/** A settable clock: tests move time by hand. */
export class TestClock {
  constructor(public ms: number = Date.UTC(2026, 0, 1)) {}
  now = () => this.ms;
  advance(ms: number): number {
    this.ms += ms;
    return this.ms;
  }
}
