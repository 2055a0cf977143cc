import type { Kysely } from 'kysely';

/** Merchant orders and their history (spine). Amounts are decimal strings; times are ms. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('merchant_order_id', 'varchar(200)')
    .addColumn('product_id', 'varchar(100)')
    .addColumn('title', 'varchar(200)', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'varchar(800)', (c) => c.notNull().defaultTo(''))
    .addColumn('price_amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('price_currency', 'varchar(40)', (c) => c.notNull())
    .addColumn('quote_asset_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('settlement_asset_id', 'varchar(40)', (c) => c.notNull())
    .addColumn('payee_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('pay_amount', 'varchar(40)')
    .addColumn('pay_currency', 'varchar(40)')
    .addColumn('amount_due', 'varchar(40)')
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('failure_reason', 'varchar(400)')
    .addColumn('callback_url', 'varchar(2000)')
    .addColumn('success_url', 'varchar(2000)')
    .addColumn('cancel_url', 'varchar(2000)')
    .addColumn('merchant_token', 'varchar(200)')
    .addColumn('mixpay_order_id', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('mixpay_code', 'varchar(100)')
    .addColumn('mixpay_trace_id', 'varchar(100)')
    .addColumn('checkout_url', 'varchar(2000)')
    .addColumn('universal_url', 'varchar(2000)')
    .addColumn('deep_link', 'varchar(2000)')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_status_idx').on('orders').columns(['status', 'expires_at']).execute();
  await db.schema.createIndex('orders_merchant_order_id_idx').on('orders').column('merchant_order_id').execute();

  await db.schema
    .createTable('order_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(36)', (c) => c.notNull().references('orders.id'))
    .addColumn('from_status', 'varchar(20)')
    .addColumn('to_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_events_order_idx').on('order_events').columns(['order_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_events').execute();
  await db.schema.dropTable('orders').execute();
}
