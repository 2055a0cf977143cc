import type { Kysely } from 'kysely';

/**
 * The order lists of the merchant API and of the admin page now read in one order (created_at
 * desc, id desc), which 007's `(created_at, id)` and `(status, created_at, id)` indexes serve
 * scanned backwards: 009's mixed-order copies of them only cost every order insert two more index
 * writes.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_status_list_idx').execute();
  await db.schema.dropIndex('orders_list_idx').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_list_idx').on('orders').columns(['created_at desc', 'id']).execute();
  await db.schema.createIndex('orders_status_list_idx').on('orders').columns(['status', 'created_at desc', 'id']).execute();
}
