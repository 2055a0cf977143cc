/** Migration 102_broker_reservations: holds of orders written before it are counted once, and down removes it all. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Migrator, type Kysely } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { migrations } from '../../server/store/migrations/index.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';

const migrator = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

for (const backend of await backends()) {
  describe(`migration 102_broker_reservations (${backend.name})`, () => {
    let store: TestStore;
    before(async () => {
      store = await backend.create();
    });
    after(() => store.dispose());

    test('open unexpired and paid orders hold their amounts; expired and settled ones do not', async () => {
      const db = store.db as Kysely<any>;
      assert.equal((await migrator(db).migrateTo('101_broker_order_history')).error, undefined);
      const now = Date.now();
      const asset = randomUUID();
      const payee = randomUUID();
      const order = (status: string, amount: string, expiresIn: number) => ({
        trace_id: randomUUID(), payee_id: payee, wallet: 'binance', asset_id: asset, amount, fee_amount: '0', pay_amount: amount, currency: 'USDT',
        memo: 'm', expired_at: now + expiresIn, return_url: 'https://mixpay.me/', opponent_id: randomUUID(), status, created_at: now, updated_at: now,
      });
      await db.insertInto('broker_orders').values([order('NEW', '1.5', 60_000), order('PAID', '2', -60_000), order('NEW', '4', -60_000), order('SETTLED', '8', 60_000)]).execute();
      await db.insertInto('broker_balances').values({ asset_id: asset, symbol: 'USDT', balance: '10', synced_at: now }).execute();
      await migrateToLatest(db);
      const rows = await db.selectFrom('broker_reservations').selectAll().where('asset_id', '=', asset).orderBy('scope').execute();
      assert.deepEqual(rows.map((r) => [r.scope, String(r.reserved_units), Number(r.open_orders), r.balance_units === null ? null : String(r.balance_units)]), [
        ['bot', '350000000', 2, '1000000000'],
        [`payee:${payee}`, '350000000', 2, null],
      ]);
      assert.equal((await migrator(db).migrateTo('101_broker_order_history')).error, undefined);
      await migrateToLatest(db);
    });
  });
}
