import type { Kysely } from 'kysely';

/**
 * Income check (issue 4 §8, seed 003 §3): every incoming transfer the payee bot's snapshots show,
 * and where the watcher has read up to. An order whose payee is that bot becomes PAID only once a
 * matching transfer is recorded here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('income_snapshots')
    .addColumn('snapshot_id', 'varchar(100)', (c) => c.primaryKey())
    .addColumn('asset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('amount', 'varchar(40)', (c) => c.notNull())
    .addColumn('opponent_id', 'varchar(36)')
    .addColumn('trace_id', 'varchar(100)')
    .addColumn('memo', 'varchar(400)')
    .addColumn('payment_trace_id', 'varchar(100)')
    .addColumn('order_id', 'varchar(36)')
    .addColumn('snapshot_created_at', 'varchar(40)', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('income_snapshots_trace_idx').on('income_snapshots').column('payment_trace_id').execute();
  await db.schema.createIndex('income_snapshots_order_idx').on('income_snapshots').column('order_id').execute();

  await db.schema
    .createTable('merchant_cursors')
    .addColumn('name', 'varchar(40)', (c) => c.primaryKey())
    .addColumn('value', 'varchar(100)', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('merchant_cursors').execute();
  await db.schema.dropTable('income_snapshots').execute();
}
