/**
 * The broker order's state machine, enforced: every (from, to) pair goes through the one
 * transition function against a real store, and only the table's moves are accepted, each with
 * its version bump and history row. A take-over of a dead reservation is not a move.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { BROKER_ORDER_STATUSES, canMove } from '../../server/broker/order-state.ts';
import { brokerHistoryOf, findOrder, takeOverCreation, transitionBrokerOrder } from '../../server/broker/order-store.ts';
import type { BrokerOrderStatus } from '../../server/store/schema.ts';

/** The whole machine written out once more, by hand, so a change to the table must change this too. */
const EXPECTED: Record<BrokerOrderStatus, BrokerOrderStatus[]> = {
  CREATING: ['NEW', 'FAILED'],
  FAILED: ['CREATING'],
  NEW: ['PAID', 'LATE_PAID', 'CLOSED'],
  CLOSED: ['PAID', 'LATE_PAID'],
  PAID: ['SETTLED', 'MIXPAY_REFUNDED'],
  SETTLED: ['MIXPAY_REFUNDED'],
  LATE_PAID: ['REFUNDED'],
  MIXPAY_REFUNDED: ['REFUNDED'],
  REFUNDED: [],
};

async function insertBrokerOrder(store: TestStore, status: BrokerOrderStatus, now: number): Promise<string> {
  const traceId = randomUUID();
  await store.db
    .insertInto('broker_orders')
    .values({
      trace_id: traceId, payee_id: randomUUID(), wallet: 'binance', asset_id: randomUUID(), amount: '1', fee_amount: '0.01', pay_amount: '1.01',
      currency: 'USDT', memo: 'm', expired_at: now + 60_000, return_url: 'https://shop.example/', opponent_id: randomUUID(), status,
      upstream_id: null, checkout_url: null, deep_link: null, universal_url: null, paid_at: null, settled_at: null, settlement_snapshot_id: null,
      refund_code: null, refund_reason: null, refunded_at: null, created_at: now, updated_at: now,
    })
    .execute();
  return traceId;
}

test('the status list and the table agree with the hand-written machine', () => {
  assert.deepEqual([...BROKER_ORDER_STATUSES].sort(), Object.keys(EXPECTED).sort());
  for (const from of BROKER_ORDER_STATUSES) {
    for (const to of BROKER_ORDER_STATUSES) assert.equal(canMove(from, to), EXPECTED[from].includes(to), `${from} -> ${to}`);
  }
});

for (const backend of await backends()) {
  describe(`broker transitions against the store (${backend.name})`, () => {
    let store: TestStore;
    before(async () => {
      store = await backend.create();
    });
    after(() => store.dispose());

    test('every pair of states: only the table moves, with a version bump and a history row', async () => {
      const now = Date.UTC(2026, 0, 1);
      for (const from of BROKER_ORDER_STATUSES) {
        for (const to of BROKER_ORDER_STATUSES) {
          const traceId = await insertBrokerOrder(store, from, now);
          const result = await transitionBrokerOrder(store.db, traceId, to, 'test:pair', { paid_at: now + 1 }, now + 5);
          const allowed = EXPECTED[from].includes(to);
          assert.equal(result.changed, allowed, `${from} -> ${to}`);
          const stored = (await findOrder(store.db, traceId))!;
          const history = await brokerHistoryOf(store.db, traceId);
          if (allowed) {
            assert.equal(stored.status, to);
            assert.equal(Number(stored.version), 1);
            assert.equal(Number(stored.paid_at), now + 1, 'the patch is written with the move');
            assert.equal(Number(stored.updated_at), now + 5);
            assert.deepEqual(history.map((h) => [h.from, h.to, h.version, h.reason]), [[from, to, 1, 'test:pair']]);
          } else {
            assert.equal(stored.status, from, `${from} -> ${to} must not move`);
            assert.equal(Number(stored.version), 0);
            assert.equal(stored.paid_at, null, 'a refused move writes nothing');
            assert.deepEqual(history, []);
          }
        }
      }
    });

    test('the same news twice moves once', async () => {
      const traceId = await insertBrokerOrder(store, 'NEW', Date.now());
      const results = await Promise.all([1, 2, 3].map(() => transitionBrokerOrder(store.db, traceId, 'PAID', 'test:race', {}, Date.now())));
      assert.equal(results.filter((r) => r.changed).length, 1);
      assert.equal((await brokerHistoryOf(store.db, traceId)).length, 1);
      assert.equal(Number((await findOrder(store.db, traceId))!.version), 1);
    });

    test('a move inside a caller transaction rolls back with it', async () => {
      const traceId = await insertBrokerOrder(store, 'PAID', Date.now());
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          assert.equal((await transitionBrokerOrder(trx, traceId, 'SETTLED', 'test:rollback', {}, Date.now())).changed, true);
          throw new Error('the job row failed');
        }),
        /the job row failed/,
      );
      assert.equal((await findOrder(store.db, traceId))!.status, 'PAID');
      assert.deepEqual(await brokerHistoryOf(store.db, traceId), []);
    });

    test('taking over a dead reservation is a version bump, not a move; one retry wins', async () => {
      const now = Date.now();
      const traceId = await insertBrokerOrder(store, 'CREATING', now - 120_000);
      const order = (await findOrder(store.db, traceId))!;
      const wins = await Promise.all([takeOverCreation(store.db, order, now), takeOverCreation(store.db, order, now)]);
      assert.deepEqual(wins.filter(Boolean).length, 1);
      const after = (await findOrder(store.db, traceId))!;
      assert.equal(after.status, 'CREATING');
      assert.equal(Number(after.version), 1);
      assert.equal(Number(after.updated_at), now);
      assert.deepEqual((await brokerHistoryOf(store.db, traceId)).map((h) => [h.from, h.to, h.reason]), [['CREATING', 'CREATING', 'create:take_over']]);
      const open = await insertBrokerOrder(store, 'NEW', now);
      assert.equal(await takeOverCreation(store.db, (await findOrder(store.db, open))!, now), false, 'only a reservation is taken over');
    });

    test('a move from the row as the caller saw it (create_order): one step when current, a re-read when stale', async () => {
      const now = Date.UTC(2026, 0, 3);
      const history = async (traceId: string) => (await brokerHistoryOf(store.db, traceId)).map((h) => [h.from, h.to, h.reason, h.version]);
      const fresh = await insertBrokerOrder(store, 'CREATING', now);
      const asCreated = (await findOrder(store.db, fresh))!;
      const opened = await transitionBrokerOrder(store.db, fresh, 'NEW', 'create:opened', { checkout_url: 'https://w.example/1' }, now + 1, undefined, asCreated);
      assert.equal(opened.changed, true);
      assert.equal(opened.order.status, 'NEW');
      assert.equal(Number(opened.order.version), 1);
      assert.equal(opened.order.checkout_url, 'https://w.example/1');
      assert.equal(Number(opened.order.updated_at), now + 1);
      assert.deepEqual(await history(fresh), [['CREATING', 'NEW', 'create:opened', 1]]);
      assert.deepEqual(await findOrder(store.db, fresh), opened.order);

      // Taken over since the caller read it: the version no longer matches, so it is read again.
      const stale = await insertBrokerOrder(store, 'CREATING', now);
      const seen = (await findOrder(store.db, stale))!;
      assert.equal(await takeOverCreation(store.db, seen, now + 70_000), true);
      const moved = await transitionBrokerOrder(store.db, stale, 'NEW', 'create:opened', {}, now + 70_001, undefined, seen);
      assert.equal(moved.changed, true);
      assert.equal(Number(moved.order.version), 2);
      assert.deepEqual(await history(stale), [['CREATING', 'CREATING', 'create:take_over', 1], ['CREATING', 'NEW', 'create:opened', 2]]);

      // Already moved by someone else: the re-read says NEW, which cannot move to NEW again.
      const again = await transitionBrokerOrder(store.db, fresh, 'NEW', 'create:opened', {}, now + 2, undefined, asCreated);
      assert.equal(again.changed, false);
      assert.deepEqual(await history(fresh), [['CREATING', 'NEW', 'create:opened', 1]]);
    });
  });
}
