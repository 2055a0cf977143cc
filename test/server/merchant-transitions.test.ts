/**
 * The merchant order's state machine, enforced: every (from, to) pair goes through the one
 * transition function (`transitionOrder`) against a real store, and only the table's moves are
 * accepted, each with its version bump and history row. (merchant-state-machine.test.ts checks
 * the pure table; this proves the store cannot be moved around it.)
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../support/stores.ts';
import { insertOrder } from '../support/orders.ts';
import { ORDER_STATUSES } from '../../server/merchant/order-state.ts';
import { findOrder, recordEvent, transitionOrder } from '../../server/merchant/order-store.ts';
import { historyOf } from '../../server/merchant/order-queries.ts';
import type { OrderStatus } from '../../server/store/schema.ts';

/** Written out by hand, so a change to the table must change this too. */
const EXPECTED: Record<OrderStatus, OrderStatus[]> = {
  NEW: ['PENDING', 'UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED', 'CANCELED'],
  PENDING: ['UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED'],
  UNRESOLVED: ['PENDING', 'PAID', 'FAILED', 'EXPIRED', 'RESOLVED'],
  EXPIRED: ['PAID', 'UNRESOLVED'],
  CANCELED: ['PAID', 'UNRESOLVED'],
  PAID: ['REFUND_PENDING'],
  FAILED: [],
  RESOLVED: [],
  REFUND_PENDING: ['REFUNDED'],
  REFUNDED: [],
};

for (const backend of await backends()) {
  describe(`merchant transitions against the store (${backend.name})`, () => {
    let store: TestStore;
    before(async () => {
      store = await backend.create();
    });
    after(() => store.dispose());

    test('every pair of states: only the table moves, with a version bump and a history row', async () => {
      const now = Date.UTC(2026, 0, 1);
      for (const from of ORDER_STATUSES) {
        for (const to of ORDER_STATUSES) {
          const order = await insertOrder(store, { status: from, now });
          const result = await transitionOrder(store.db, order.id, to, 'test:pair', { failure_reason: 'set by the move' }, null, now + 5);
          const allowed = EXPECTED[from].includes(to);
          assert.equal(result.changed, allowed, `${from} -> ${to}`);
          const stored = (await findOrder(store.db, order.id))!;
          const history = await historyOf(store.db, order.id);
          if (allowed) {
            assert.equal(stored.status, to);
            assert.equal(stored.version, order.version + 1);
            assert.equal(stored.failure_reason, 'set by the move');
            assert.deepEqual(history.map((h) => [h.from, h.to, h.reason]), [[from, to, 'test:pair']]);
          } else {
            assert.equal(stored.status, from, `${from} -> ${to} must not move`);
            assert.equal(stored.version, order.version);
            assert.equal(stored.failure_reason, null, 'a refused move writes nothing');
            assert.deepEqual(history, []);
          }
        }
      }
    });

    test('changes made in one millisecond come back in the order they were made', async () => {
      const now = Date.UTC(2026, 0, 2);
      const order = await insertOrder(store, { status: 'NEW', now });
      // One action's chain at one instant, with checks that moved nothing in between (as a callback and a refund can).
      const moves: OrderStatus[] = ['PENDING', 'PAID', 'REFUND_PENDING', 'REFUNDED'];
      const expected: Array<[string | null, string, string]> = [];
      let from: OrderStatus = 'NEW';
      for (const [i, to] of moves.entries()) {
        for (let k = 0; k < 3; k++) {
          await recordEvent(store.db, order.id, from, from, `test:check-${i}-${k}`, null, now);
          expected.push([from, from, `test:check-${i}-${k}`]);
        }
        assert.ok((await transitionOrder(store.db, order.id, to, `test:move-${i}`, {}, null, now)).changed);
        expected.push([from, to, `test:move-${i}`]);
        from = to;
      }
      const history = await historyOf(store.db, order.id);
      assert.deepEqual(history.map((h) => [h.from, h.to, h.reason]), expected);
    });
  });
}
