/**
 * The plan a database chooses for a query, as one line of text, so a test can ask whether a page
 * reads an index in order instead of sorting the table (issue 12 §5).
 */
import { sql, type CompiledQuery } from 'kysely';
import assert from 'node:assert/strict';
import type { TestStore } from './stores.ts';

export async function queryPlan(store: TestStore, backend: 'sqlite' | 'postgres', compiled: CompiledQuery): Promise<string> {
  if (backend === 'sqlite') {
    const plan = (await store.db.executeQuery({ ...compiled, sql: `explain query plan ${compiled.sql}` })).rows as Array<{ detail: string }>;
    return plan.map((r) => r.detail).join(' | ');
  }
  return store.db.connection().execute(async (conn) => {
    // A test table is tiny, so the planner would rather sort it; forbid the alternatives to ask
    // whether the index can serve the page in order, as it does at 100k orders.
    await sql`set enable_seqscan = off; set enable_bitmapscan = off; set enable_sort = off`.execute(conn);
    try {
      const rows = (await conn.executeQuery({ ...compiled, sql: `explain ${compiled.sql}` })).rows as Array<Record<string, string>>;
      return rows.map((r) => r['QUERY PLAN']).join(' | ');
    } finally {
      await sql`reset enable_seqscan; reset enable_bitmapscan; reset enable_sort`.execute(conn);
    }
  });
}

/** Asserts the database walks one of `indexes` in order for the query and sorts nothing. */
export async function assertReadsIndexInOrder(store: TestStore, backend: 'sqlite' | 'postgres', compiled: CompiledQuery, indexes: RegExp): Promise<void> {
  const plan = await queryPlan(store, backend, compiled);
  const walks = backend === 'sqlite' ? new RegExp(`USING (COVERING )?INDEX ${indexes.source}\\b`) : new RegExp(`Index (Only )?Scan( Backward)? using ${indexes.source}\\b`);
  assert.match(plan, walks, plan);
  assert.doesNotMatch(plan, backend === 'sqlite' ? /TEMP B-TREE FOR ORDER BY/ : /\bSort\b/, plan);
}
