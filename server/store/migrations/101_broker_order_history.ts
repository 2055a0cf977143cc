import type { Kysely } from 'kysely';

/**
 * The broker order's enforced state machine (issue 8 §2): a `version` for the compare-and-set of
 * every status change, and `broker_order_events`, one history row per change, written in the
 * same transaction (the merchant's `order_events` is the model). Rows written before this
 * migration start at version 0 with no history. The history names its order without a foreign
 * key: it is the record of what happened, kept even when an operator deletes an order row.
 *
 * One vocabulary with the merchant half (docs/architecture.md): an order whose links are out and
 * that nobody has paid is NEW in both, so the broker's OPEN rows are renamed. No broker status
 * leaves this server: MixPay and the wallets only ever see their own protocol's values.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('broker_orders')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.updateTable('broker_orders').set({ status: 'NEW' }).where('status', '=', 'OPEN').execute();

  await db.schema
    .createTable('broker_order_events')
    .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('trace_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('from_status', 'varchar(20)')
    .addColumn('to_status', 'varchar(20)', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('reason', 'varchar(200)', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('broker_order_events_trace_idx').on('broker_order_events').columns(['trace_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('broker_order_events').execute();
  await db.updateTable('broker_orders').set({ status: 'OPEN' }).where('status', '=', 'NEW').execute();
  await db.schema.alterTable('broker_orders').dropColumn('version').execute();
}
