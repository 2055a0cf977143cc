/** Migration 101 on a store that already holds broker orders: versions start at 0, OPEN becomes NEW, and back. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Migrator, type Kysely } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { migrations } from '../../server/store/migrations/index.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';

const migrator = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

for (const backend of await backends()) {
  describe(`migration 101_broker_order_history (${backend.name})`, () => {
    let store: TestStore;
    before(async () => {
      store = await backend.create();
    });
    after(() => store.dispose());

    test('an OPEN order from before becomes NEW at version 0, and down restores it', async () => {
      const db = store.db as Kysely<any>;
      // Later broker migrations (102, 103, ...) are undone first.
      assert.equal((await migrator(db).migrateTo('101_broker_order_history')).error, undefined);
      const down = await migrator(db).migrateDown();
      assert.equal(down.error, undefined);
      assert.equal(down.results?.[0]?.migrationName, '101_broker_order_history');
      const traceId = randomUUID();
      const now = Date.now();
      await db
        .insertInto('broker_orders')
        .values({
          trace_id: traceId, payee_id: randomUUID(), wallet: 'binance', asset_id: randomUUID(), amount: '1', fee_amount: '0', pay_amount: '1', currency: 'USDT',
          memo: 'm', expired_at: now + 60_000, return_url: 'https://shop.example/', opponent_id: randomUUID(), status: 'OPEN', created_at: now, updated_at: now,
        })
        .execute();
      await migrateToLatest(db);
      const row = await db.selectFrom('broker_orders').select(['status', 'version']).where('trace_id', '=', traceId).executeTakeFirstOrThrow();
      assert.deepEqual({ status: row.status, version: Number(row.version) }, { status: 'NEW', version: 0 });
      await migrator(db).migrateTo('101_broker_order_history');
      await migrator(db).migrateDown();
      const back = await db.selectFrom('broker_orders').selectAll().where('trace_id', '=', traceId).executeTakeFirstOrThrow();
      assert.equal(back.status, 'OPEN');
      assert.equal('version' in back, false);
      await migrateToLatest(db);
    });
  });
}
