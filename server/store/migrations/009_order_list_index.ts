import type { Kysely } from 'kysely';

/**
 * The order lists (merchant API, admin API, CLI) read newest first, `created_at desc, id`: without
 * an index in that order every page scanned and sorted the whole table (issue 12 §5: 4.8 ms at 1k
 * orders, 32 ms at 100k). Keyset pages (`cursor`) then cost the same on any page.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_list_idx').on('orders').columns(['created_at desc', 'id']).execute();
  // `?status=NEW`: the orders of one status in list order, not all of them sorted (SQLite did that).
  await db.schema.createIndex('orders_status_list_idx').on('orders').columns(['status', 'created_at desc', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_status_list_idx').execute();
  await db.schema.dropIndex('orders_list_idx').execute();
}
