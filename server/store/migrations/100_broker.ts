import type { Kysely } from 'kysely';

/**
 * Broker mode (seed 000): MixPay's orders on this broker, the durable jobs that move money, the
 * bot's synced balances, the snapshot cursor and every incoming transfer the refund worker read.
 * Amounts are decimal strings; times are milliseconds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('broker_orders')
    .addColumn('trace_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('payee_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('wallet', 'varchar(20)', (c) => c.notNull())
    .addColumn('asset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('fee_amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('pay_amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('currency', 'varchar(20)', (c) => c.notNull())
    .addColumn('memo', 'varchar(200)', (c) => c.notNull())
    .addColumn('expired_at', 'bigint', (c) => c.notNull())
    .addColumn('return_url', 'varchar(200)', (c) => c.notNull())
    .addColumn('opponent_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('upstream_id', 'varchar(100)')
    .addColumn('checkout_url', 'varchar(2000)')
    .addColumn('deep_link', 'varchar(2000)')
    .addColumn('universal_url', 'varchar(2000)')
    .addColumn('paid_at', 'bigint')
    .addColumn('settled_at', 'bigint')
    .addColumn('settlement_snapshot_id', 'varchar(100)')
    .addColumn('refund_code', 'varchar(20)')
    .addColumn('refund_reason', 'varchar(200)')
    .addColumn('refunded_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('broker_orders_asset_status_idx').on('broker_orders').columns(['asset_id', 'status']).execute();
  await db.schema.createIndex('broker_orders_upstream_idx').on('broker_orders').columns(['wallet', 'upstream_id']).execute();

  await db.schema
    .createTable('broker_jobs')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('kind', 'varchar(20)', (c) => c.notNull())
    .addColumn('trace_id', 'varchar(36)', (c) => c.notNull().references('broker_orders.trace_id'))
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_run_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    // One settlement transfer and one wallet refund per order, however many times they are asked for.
    .addUniqueConstraint('broker_jobs_kind_trace_unique', ['kind', 'trace_id'])
    .execute();
  await db.schema.createIndex('broker_jobs_due_idx').on('broker_jobs').columns(['status', 'next_run_at']).execute();

  await db.schema
    .createTable('broker_balances')
    .addColumn('asset_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('symbol', 'varchar(40)', (c) => c.notNull())
    .addColumn('balance', 'varchar(40)', (c) => c.notNull())
    .addColumn('synced_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('broker_cursors')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(100)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('broker_incoming')
    .addColumn('snapshot_id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('asset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('opponent_id', 'varchar(36)')
    .addColumn('trace_id', 'varchar(100)')
    .addColumn('memo', 'varchar(400)')
    .addColumn('outcome', 'varchar(20)', (c) => c.notNull())
    .addColumn('order_trace_id', 'varchar(36)')
    .addColumn('note', 'varchar(400)', (c) => c.notNull())
    .addColumn('snapshot_created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('broker_incoming_outcome_idx').on('broker_incoming').columns(['outcome', 'recorded_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['broker_incoming', 'broker_cursors', 'broker_balances', 'broker_jobs', 'broker_orders']) {
    await db.schema.dropTable(table).execute();
  }
}
