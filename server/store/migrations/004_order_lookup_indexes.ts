import type { Kysely } from 'kysely';

/**
 * Callbacks find their order by MixPay's traceId or link code when the orderId is absent, and the
 * cross-order check asks whether another order holds a traceId: without these, every callback
 * scanned the orders table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_mixpay_trace_id_idx').on('orders').column('mixpay_trace_id').execute();
  await db.schema.createIndex('orders_mixpay_code_idx').on('orders').column('mixpay_code').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_mixpay_code_idx').execute();
  await db.schema.dropIndex('orders_mixpay_trace_id_idx').execute();
}
