import type { Kysely } from 'kysely';

/**
 * Whatever Mixin sends is kept (issue 13 High 2): a memo PostgreSQL cannot hold as text (a NUL
 * byte) is stored escaped in `memo`, and exactly, as base64 of its UTF-8, in `memo_base64`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broker_incoming').addColumn('memo_base64', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('broker_incoming').dropColumn('memo_base64').execute();
}
