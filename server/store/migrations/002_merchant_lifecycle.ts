import type { Kysely } from 'kysely';

/**
 * Merchant lifecycle (issue 4): settlement data and the reconciliation schedule on each order,
 * the notification outbox with every delivery attempt, and the shared MixPay call budget.
 * Amounts are decimal strings; times are milliseconds.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite adds one column per ALTER TABLE.
  const columns: Array<[string, 'varchar(20)' | 'varchar(40)' | 'bigint' | 'integer', boolean]> = [
    ['settle_status', 'varchar(20)', false],
    ['settle_amount', 'varchar(40)', false],
    ['settle_asset', 'varchar(40)', false],
    ['settle_symbol', 'varchar(40)', false],
    ['late_payment', 'integer', true],
    ['next_check_at', 'bigint', false],
    ['check_count', 'integer', true],
    ['last_checked_at', 'bigint', false],
  ];
  for (const [name, type, zeroDefault] of columns) {
    await db.schema
      .alterTable('orders')
      .addColumn(name, type, (c) => (zeroDefault ? c.notNull().defaultTo(0) : c))
      .execute();
  }
  await db.schema.createIndex('orders_next_check_idx').on('orders').column('next_check_at').execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(36)', (c) => c.notNull().references('orders.id'))
    .addColumn('order_version', 'integer', (c) => c.notNull())
    .addColumn('order_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('previous_status', 'varchar(20)')
    .addColumn('url', 'varchar(2000)', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('locked_until', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notifications_due_idx').on('notifications').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('notifications_order_idx').on('notifications').columns(['order_id', 'order_version']).execute();

  await db.schema
    .createTable('notification_attempts')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('notification_id', 'varchar(36)', (c) => c.notNull().references('notifications.id'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'varchar(20)', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('http_status', 'integer')
    .addColumn('outcome', 'varchar(20)', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('notification_attempts_idx').on('notification_attempts').columns(['notification_id', 'attempt']).execute();

  await db.schema
    .createTable('call_budgets')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('tokens', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('call_budgets').execute();
  await db.schema.dropTable('notification_attempts').execute();
  await db.schema.dropTable('notifications').execute();
  await db.schema.dropIndex('orders_next_check_idx').execute();
  for (const name of ['last_checked_at', 'check_count', 'next_check_at', 'late_payment', 'settle_symbol', 'settle_asset', 'settle_amount', 'settle_status']) {
    await db.schema.alterTable('orders').dropColumn(name).execute();
  }
}
