/**
 * The bot's reservations as maintained values (issue 12 §4): exact under concurrency on both
 * backends, released by every move that frees a hold, and lapsed holds free at once.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { findOrder, transitionBrokerOrder } from '../../server/broker/order-store.ts';
import { availableToPromise } from '../../server/broker/reservations.ts';
import { fromUnits, toUnits } from '../../server/core/amounts.ts';
import { BTC, orderBody, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';
import { jsonPost } from '../support/broker-http.ts';

const json = (body: unknown): RequestInit => jsonPost(body);

test('amounts become exact integer units and back', () => {
  assert.equal(toUnits('10.5'), '1050000000');
  assert.equal(toUnits('0.00000001'), '1');
  assert.equal(toUnits('0.000000019'), '1');
  assert.equal(toUnits('nope'), '0');
  assert.equal(toUnits('1e30'), '9000000000000000');
  assert.equal(fromUnits('1050000000'), '10.5');
  assert.equal(fromUnits(1), '0.00000001');
});

for (const backend of await backends()) {
  describe(`broker reservations (${backend.name})`, () => {
    let store: TestStore;
    let deps: TestDeps;
    let app: ReturnType<typeof createBrokerApp>;
    const reserved = async (assetId: string, scope = 'bot') =>
      (await store.db.selectFrom('broker_reservations').selectAll().where('scope', '=', scope).where('asset_id', '=', assetId).executeTakeFirst()) ?? { reserved_units: 0, open_orders: 0 };

    before(async () => {
      store = await backend.create();
      deps = testDeps(store);
      app = createBrokerApp(deps);
      deps.fakeMixin.balances.set(USDT, '100');
      await syncBalances(deps);
    });
    after(() => store.dispose());

    test('200 concurrent orders against a balance that covers 100: exactly 100 accepted', async () => {
      const bodies = Array.from({ length: 200 }, () => orderBody(deps.now(), { amount: '1' }));
      const answers = await Promise.all(bodies.map(async (body) => (await (await app.request('/create_order', json(body))).json()) as { code: number }));
      assert.equal(answers.filter((a) => a.code === 0).length, 100);
      assert.equal(answers.filter((a) => a.code === 11002).length, 100);
      const row = await reserved(USDT);
      assert.equal(String(row.reserved_units), toUnits('100'));
      assert.equal(Number(row.open_orders), 100);
      assert.equal(await availableToPromise(store.db, USDT, deps.now()), '0');
      const held = await store.db.selectFrom('broker_orders').select('trace_id').where('asset_id', '=', USDT).where('held_units', '>', 0).execute();
      assert.equal(held.length, 100);
    });

    test('a closed order gives its hold back at once; a paid one keeps it past expiry; a settled one spends the balance', async () => {
      const open = await store.db.selectFrom('broker_orders').select('trace_id').where('asset_id', '=', USDT).where('status', '=', 'NEW').limit(3).execute();
      const [closed, paid, settled] = open.map((o) => o.trace_id);
      await transitionBrokerOrder(store.db, closed!, 'CLOSED', 'test', {}, deps.now());
      assert.equal(await availableToPromise(store.db, USDT, deps.now()), '1');
      await transitionBrokerOrder(store.db, paid!, 'PAID', 'test', {}, deps.now());
      await transitionBrokerOrder(store.db, settled!, 'PAID', 'test', {}, deps.now());
      await transitionBrokerOrder(store.db, settled!, 'SETTLED', 'test', { settled_at: deps.now() }, deps.now());
      // The settled 1 left the bot: the balance is 99 until the next sync says otherwise.
      assert.equal(await availableToPromise(store.db, USDT, deps.now()), '1');
      assert.equal(Number((await findOrder(store.db, settled!))?.held_units), 0);
      // After every unpaid order has expired only the paid one holds its amount.
      deps.clock.now += 16 * 60_000;
      try {
        assert.equal(await availableToPromise(store.db, USDT, deps.now()), '98');
        const answer = (await (await app.request('/create_order', json(orderBody(deps.now(), { amount: '98' })))).json()) as { code: number; message: string };
        assert.equal(answer.code, 0, answer.message);
        // The sync releases the lapsed holds for good; the sums then agree with the orders.
        deps.fakeMixin.balances.set(USDT, '99');
        await syncBalances(deps);
        const row = await reserved(USDT);
        assert.equal(String(row.reserved_units), toUnits('99'));
        assert.equal(Number(row.open_orders), 2);
        assert.equal(await availableToPromise(store.db, USDT, deps.now()), '0');
      } finally {
        deps.clock.now = Date.now();
      }
    });

    test('concurrent first orders of new payees are all accepted when the balance covers them', async () => {
      deps.fakeMixin.balances.set(USDT, '1000000');
      await syncBalances(deps);
      const payees = Array.from({ length: 10 }, () => randomUUID());
      const bodies = Array.from({ length: 100 }, (_, i) => orderBody(deps.now(), { amount: '0.1', payee_id: payees[i % payees.length] }));
      const answers = await Promise.all(bodies.map(async (body) => (await (await app.request('/create_order', json(body))).json()) as { code: number; message: string }));
      assert.deepEqual(answers.filter((a) => a.code !== 0), []);
      for (const payee of payees) assert.equal(Number((await reserved(USDT, `payee:${payee}`)).open_orders), 10);
    });

    test('a retried creation takes its hold again, and a wallet failure releases it', async () => {
      deps.fakeMixin.balances.set(BTC, '0.0001');
      await syncBalances(deps);
      const body = orderBody(deps.now(), { asset_id: BTC, amount: '0.0001' });
      deps.wallet.failNext = true;
      assert.equal(((await (await app.request('/create_order', json(body))).json()) as { code: number }).code, 11002);
      assert.equal(String((await reserved(BTC)).reserved_units), '0');
      assert.equal(((await (await app.request('/create_order', json(body))).json()) as { code: number }).code, 0);
      assert.equal(String((await reserved(BTC)).reserved_units), toUnits('0.0001'));
      const other = (await (await app.request('/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.00001' })))).json()) as { code: number };
      assert.equal(other.code, 11002);
    });
  });
}
