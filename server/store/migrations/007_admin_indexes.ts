import type { Kysely } from 'kysely';

/**
 * The admin page pages through orders newest first by (created_at, id) with a keyset cursor,
 * optionally within one status: both walks read an index in order instead of sorting the table,
 * so a page stays fast at 100k orders. Its sign-in sessions live in their own table, so every
 * process on the database knows them and signing out ends the session everywhere.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('orders_created_idx').on('orders').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('orders_status_created_idx').on('orders').columns(['status', 'created_at', 'id']).execute();
  await db.schema
    .createTable('admin_sessions')
    // The SHA-256 of the cookie's secret: a copy of the table opens no session.
    .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('operator', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('admin_sessions_expires_idx').on('admin_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('admin_sessions').execute();
  await db.schema.dropIndex('orders_status_created_idx').execute();
  await db.schema.dropIndex('orders_created_idx').execute();
}
