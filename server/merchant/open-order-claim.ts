/**
 * One open order per `merchant_order_id`. While an order is NEW with a live link it holds its
 * merchant_order_id in `open_merchant_order_id`, whose unique index (008_idempotency) lets only
 * one such order exist however many creates race. A claim lapses when its order leaves NEW or its
 * link expires; the next create for that id releases it first. Another price for an id whose
 * order is still open (NEW with a live link, PENDING or UNRESOLVED) is a 409 naming that order.
 */
import type { Kysely } from 'kysely';
import { sameAmount } from '../core/amounts.ts';
import type { Database } from '../store/schema.ts';
import { MerchantApiError } from './api-errors.ts';
import type { Order } from './order-store.ts';

export interface PriceOf {
  merchant_order_id?: string | undefined;
  price_amount: string;
  price_currency: string;
}

/** Releases claims of orders that are no longer NEW or whose link has lapsed. */
export async function releaseLapsedClaims(db: Kysely<Database>, merchantOrderId: string, now: number): Promise<void> {
  await db
    .updateTable('orders')
    .set({ open_merchant_order_id: null })
    .where('open_merchant_order_id', '=', merchantOrderId)
    .where((eb) => eb.or([eb('status', '!=', 'NEW'), eb('expires_at', '<=', now)]))
    .execute();
}

/** Throws 409 ORDER_CONFLICT when an open order holds this merchant_order_id at another price. */
export async function refuseOtherPrice(db: Kysely<Database>, input: PriceOf, now: number): Promise<void> {
  if (!input.merchant_order_id) return;
  const open = (await db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_order_id', '=', input.merchant_order_id)
    .where((eb) => eb.or([eb.and([eb('status', '=', 'NEW'), eb('expires_at', '>', now)]), eb('status', 'in', ['PENDING', 'UNRESOLVED'])]))
    .orderBy('created_at', 'desc')
    .execute()) as Order[];
  const other = open.find((o) => !sameAmount(o.price_amount, input.price_amount) || o.price_currency !== input.price_currency.toUpperCase());
  if (other) {
    throw new MerchantApiError(
      409,
      'ORDER_CONFLICT',
      `merchant_order_id ${input.merchant_order_id} already has open order ${other.id} (${other.status}, ${other.price_amount} ${other.price_currency}); cancel it or use another merchant_order_id`,
    );
  }
}
