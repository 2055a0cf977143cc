/**
 * Migration 005_budget_window on both backends: it goes down and up again, and it rewrites the
 * payment traces stored before traces were canonical (issue 13 §3), so "one payment never pays
 * two orders" compares like with like for old orders too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Migrator, type Migration } from 'kysely';
import { backends } from '../support/stores.ts';
import { insertOrder } from '../support/orders.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';
import { migrations } from '../../server/store/migrations/index.ts';

for (const backend of await backends()) {
  describe(`migration 005_budget_window on ${backend.name}`, () => {
    test('down and up again; stored traces become canonical, other ids are left as they are', async () => {
      const store = await backend.create();
      try {
        const migrator = new Migrator({ db: store.db, provider: { getMigrations: async (): Promise<Record<string, Migration>> => migrations } });
        const down = await migrator.migrateTo('004_order_lookup_indexes');
        assert.equal(down.error, undefined, String(down.error));
        const trace = randomUUID();
        const upper = await insertOrder(store, { mixpay_trace_id: trace.toUpperCase() });
        const bare = await insertOrder(store, { mixpay_trace_id: trace.replace(/-/g, ''), merchant_order_id: 'shop-2' });
        const other = await insertOrder(store, { mixpay_trace_id: 'not-a-uuid-TRACE', merchant_order_id: 'shop-3' });
        await migrateToLatest(store.db);
        assert.equal((await findOrder(store.db, upper.id))?.mixpay_trace_id, trace);
        assert.equal((await findOrder(store.db, bare.id))?.mixpay_trace_id, trace);
        assert.equal((await findOrder(store.db, other.id))?.mixpay_trace_id, 'not-a-uuid-TRACE');
        assert.equal((await findOrder(store.db, upper.id))?.underpaid, 0);
      } finally {
        await store.dispose();
      }
    });
  });
}
