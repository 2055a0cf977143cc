import type { Kysely } from 'kysely';

/**
 * Idempotent order creation (issue 11, Deliver 6). `idempotency_keys` remembers the first answer
 * to each `Idempotency-Key` for 24 hours; its primary key lets exactly one of many concurrent
 * requests run. `orders.open_merchant_order_id` holds the merchant's order id while the order is
 * NEW with a live link; its unique index makes a second open order for the same id impossible,
 * whatever the number of concurrent creates.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('request_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();
  await db.schema.alterTable('orders').addColumn('open_merchant_order_id', 'varchar(200)').execute();
  await db.schema.createIndex('orders_open_merchant_order_id_key').on('orders').column('open_merchant_order_id').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_open_merchant_order_id_key').execute();
  await db.schema.alterTable('orders').dropColumn('open_merchant_order_id').execute();
  await db.schema.dropTable('idempotency_keys').execute();
}
