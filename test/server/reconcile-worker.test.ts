/**
 * The reconciliation worker and the shared MixPay budget, over real HTTP against the sandbox (and
 * a proxy in front of it that can answer 1429, 500 or hang), with a settable clock, on both
 * backends. Callbacks are lost on purpose: PUBLIC_URL points at a closed port.
 */
import { after, before, describe, test } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import assert from 'node:assert/strict';
import { watchTimers } from '../support/timers.ts';
import { eventually } from '../support/wait.ts';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { listen, type Listening } from '../support/http.ts';
import { TestClock } from '../support/orders.ts';
import { codeOf, createOrder, historyOf, resultFor, simulate } from '../support/merchant.ts';
import { findOrder, transitionOrder } from '../../server/merchant/order-store.ts';
import { nextCheckAt, RESCHEDULE, AWAITING_DELAYS_MS, LATE_DELAYS_MS, SETTLE_DELAYS_MS } from '../../server/merchant/reconcile-schedule.ts';
import { BudgetedMixPay, CallBudget, MixPayBudgetError, backoffAfter } from '../../server/mixpay/call-budget.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';
import { MixPayUnavailableError } from '../../server/mixpay/errors.ts';
import type { PaymentResultQuery } from '../../server/mixpay/types.ts';
import { Reconciler } from '../../server/merchant/workers/reconciler.ts';

const MINUTE = 60_000;
const GRACE = 10 * MINUTE;

describe('reconcile schedule (pure)', () => {
  const order = (status: any, settle: string | null = null) => ({ status, settle_status: settle, expires_at: 1_000_000_000 + 15 * MINUTE });
  const t0 = 1_000_000_000;

  test('frequent at first, then rarer, and checked at the end of the grace window', () => {
    const gaps: number[] = [];
    let now = t0;
    for (let checks = 0; checks < 9; checks++) {
      const next = nextCheckAt(order('NEW'), checks, now, GRACE)!;
      gaps.push(next - now);
      now = next;
    }
    assert.deepEqual(gaps.slice(0, 4), [1, 2, 5, 10].map((m) => m * MINUTE));
    assert.equal(now >= t0 + 25 * MINUTE, true);
    // The check at expiry + grace is never skipped.
    const deadline = t0 + 25 * MINUTE;
    assert.equal(nextCheckAt(order('NEW'), 6, deadline - MINUTE, GRACE), deadline);
    assert.equal(nextCheckAt(order('NEW'), 6, deadline + 1, GRACE), deadline + 1, 'past the deadline: at once');
    // A payment that is confirming is never hurried into expiry.
    assert.equal(nextCheckAt(order('PENDING'), 6, deadline + 1, GRACE), deadline + 1 + AWAITING_DELAYS_MS[6]!);
  });

  test('late checks after expiry or cancel, settlement checks after PAID, then nothing', () => {
    const late = [0, 1, 2, 3].map((n) => nextCheckAt(order('EXPIRED'), n, t0 + 30 * MINUTE, GRACE)! - (t0 + 30 * MINUTE));
    assert.deepEqual(late, LATE_DELAYS_MS);
    assert.equal(nextCheckAt(order('EXPIRED'), 4, t0, GRACE), null);
    assert.equal(nextCheckAt(order('CANCELED'), 0, t0, GRACE), t0 + 25 * MINUTE + LATE_DELAYS_MS[0]!, 'a canceled link can be paid until it lapses');
    assert.equal(nextCheckAt(order('PAID', 'pending'), 0, t0, GRACE), t0 + SETTLE_DELAYS_MS[0]!);
    assert.equal(nextCheckAt(order('PAID', 'success'), 0, t0, GRACE), null);
    assert.equal(nextCheckAt(order('PAID', 'pending'), 4, t0, GRACE), null);
    for (const status of ['FAILED', 'RESOLVED', 'REFUNDED']) assert.equal(nextCheckAt(order(status), 0, t0, GRACE), null);
  });

  test('back-off doubles and is capped', () => {
    // Capped so that service returns within 30 s of MixPay's recovery (issue 13 §4).
    assert.equal(backoffAfter('rate_limited', 1), 10_000);
    assert.equal(backoffAfter('rate_limited', 2), 20_000);
    assert.equal(backoffAfter('rate_limited', 20), 20_000);
    assert.equal(backoffAfter('unavailable', 1), 2_000);
    assert.equal(backoffAfter('unavailable', 30), 15_000);
  });
});

for (const backend of await backends()) {
  describe(`reconciliation on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;
    let proxy: Listening;
    let mode: 'ok' | '1429' | '500' | 'timeout' = 'ok';
    let hits = 0;
    const clock = new TestClock(Date.now());

    before(async () => {
      store = await backend.create();
      // Callbacks go to a closed port: every one is lost.
      stack = await startStack(store, { PUBLIC_URL: 'http://127.0.0.1:9' });
      proxy = await listen(async (request) => {
        hits += 1;
        const url = new URL(request.url);
        if (mode === '1429') return Response.json({ code: 1429, success: false, message: 'Too many requests', data: [] }, { status: 429 });
        if (mode === '500') return Response.json({ code: -1, success: false, message: 'Server error', data: [] }, { status: 500 });
        if (mode === 'timeout') {
          // Far past the client's timeout (1 s below), so only the timeout can end the call.
          await new Promise((resolve) => setTimeout(resolve, 4000));
          return new Response('late', { status: 504 });
        }
        return fetch(`${stack.url}/sandbox/mixpay/v1${url.pathname}${url.search}`);
      });
    });
    after(async () => {
      await proxy.close();
      await stack.close();
      await store.dispose();
    });

    function reconciler(budget = new CallBudget(store.db, { perMinute: 50, now: clock.now, name: `test-${Math.random()}` })) {
      // 1 s, not less: an answered call through the proxy and the sandbox must never time out on a slow machine.
      const client = new MixPayClient({ baseUrl: proxy.url, timeoutMs: 1000 });
      return new Reconciler({ store, mixpay: new BudgetedMixPay(client, budget, { reserve: 2 }), now: clock.now, log: () => {}, graceMs: GRACE, bus: stack.deps.bus });
    }

    /** Runs rounds, moving the clock a minute between them, until `done` or `rounds` run out. */
    async function runRounds(worker: Reconciler, rounds: number, done: () => Promise<boolean>) {
      for (let i = 0; i < rounds; i++) {
        await worker.runOnce();
        if (await done()) return true;
        clock.advance(MINUTE);
      }
      return done();
    }

    const statusOf = async (id: string) => (await findOrder(store.db, id))?.status;

    test('a payment whose callbacks are all lost is settled by the worker', async () => {
      clock.ms = Date.now();
      const created = await createOrder(stack);
      const id = created.order.order_id;
      await simulate(stack, codeOf(created), { outcome: 'success' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await statusOf(id), 'NEW', 'no callback got through');
      const worker = reconciler();
      assert.ok(await runRounds(worker, 5, async () => (await statusOf(id)) === 'PAID'));
      const history = await historyOf(store, id);
      assert.ok(history.some((e) => e.reason === 'reconcile:paid' && e.to_status === 'PAID'));
      // Then the settlement, on the PAID order.
      assert.ok(await runRounds(worker, 20, async () => (await findOrder(store.db, id))?.settle_status === 'success'));
      const settled = await findOrder(store.db, id);
      assert.equal(settled?.next_check_at, null, 'nothing left to check');
    });

    test('past expiry and grace: unpaid orders expire after one more check; paid ones never do', async () => {
      clock.ms = Date.now();
      const unpaid = await createOrder(stack);
      const paid = await createOrder(stack);
      const confirming = await createOrder(stack);
      await simulate(stack, codeOf(paid), { outcome: 'success' });
      await simulate(stack, codeOf(confirming), { outcome: 'pending' });
      const worker = reconciler();
      await worker.runOnce(); // schedules the new orders
      // Jump past expiry but inside the grace window: nothing expires.
      clock.ms = (await findOrder(store.db, unpaid.order.order_id))!.expires_at + GRACE - MINUTE;
      await worker.runOnce();
      assert.equal(await statusOf(unpaid.order.order_id), 'NEW');
      clock.advance(2 * MINUTE);
      await runRounds(worker, 3, async () => (await statusOf(unpaid.order.order_id)) === 'EXPIRED');
      assert.equal(await statusOf(unpaid.order.order_id), 'EXPIRED');
      assert.equal(await statusOf(paid.order.order_id), 'PAID');
      assert.equal(await statusOf(confirming.order.order_id), 'PENDING', 'a payment still confirming is not expired');
      const history = await historyOf(store, unpaid.order.order_id);
      assert.ok(history.some((e) => e.reason === 'reconcile:expired' && e.from_status === 'NEW'));
    });

    test('a payment that starts confirming while the last check is on its way is not expired', async () => {
      clock.ms = Date.now();
      const created = await createOrder(stack);
      const id = created.order.order_id;
      const order = (await findOrder(store.db, id))!;
      let calls = 0;
      const racing = {
        async getPaymentResult() {
          calls += 1;
          // MixPay answers "unpaid"; meanwhile a callback moved the order on (the customer paid).
          await transitionOrder(store.db, id, 'PENDING', 'callback:pending', {}, null, clock.ms);
          return resultFor(order, { status: 'unpaid' });
        },
        async createOneTimePayment(): Promise<{ code: string }> {
          throw new Error('not used');
        },
      };
      const worker = new Reconciler({ store, mixpay: racing, now: clock.now, log: () => {}, graceMs: GRACE });
      clock.ms = order.expires_at + GRACE + MINUTE;
      for (let i = 0; i < 3 && calls === 0; i++) await worker.runOnce();
      assert.equal(calls, 1);
      assert.equal(await statusOf(id), 'PENDING', 'the stale "unpaid" answer must not expire an order that moved on');
      const history = await historyOf(store, id);
      assert.equal(history.some((e) => e.to_status === 'EXPIRED'), false);
    });

    test('a check time changed while a round holds the order is kept: the round writes only over its own lease', async () => {
      clock.ms = Date.now();
      const created = await createOrder(stack);
      const id = created.order.order_id;
      const order = (await findOrder(store.db, id))!;
      await store.db.updateTable('orders').set({ next_check_at: clock.ms, check_count: 0 }).where('id', '=', id).execute();
      const elsewhere = clock.ms + 5_000;
      let calls = 0;
      const changing = {
        async getPaymentResult(query: PaymentResultQuery) {
          // Other orders due in this store wait for a later round.
          if (!('orderId' in query) || query.orderId !== order.mixpay_order_id) throw new MixPayUnavailableError('not this one');
          calls += 1;
          // Meanwhile someone else (a status change, another process past the lease, an
          // operator) gives the order another check time.
          await store.db.updateTable('orders').set({ next_check_at: elsewhere }).where('id', '=', id).execute();
          return resultFor(order, { status: 'unpaid' });
        },
        async createOneTimePayment(): Promise<{ code: string }> {
          throw new Error('not used');
        },
      };
      const worker = new Reconciler({ store, mixpay: changing, now: clock.now, log: () => {}, graceMs: GRACE });
      for (let i = 0; i < 20 && calls === 0; i++) await worker.runOnce();
      assert.equal(calls, 1);
      const after = (await findOrder(store.db, id))!;
      assert.equal(after.next_check_at, elsewhere, "the round's own next time would have overwritten it");
      assert.equal(after.last_checked_at, null);
    });

    test('an order made due while a round leases it for its first schedule is checked once, by the next round', async () => {
      clock.ms = Date.now();
      const created = await createOrder(stack);
      const id = created.order.order_id;
      const order = (await findOrder(store.db, id))!;
      await store.db.updateTable('orders').set({ next_check_at: clock.ms, check_count: RESCHEDULE }).where('id', '=', id).execute();
      let calls = 0;
      const counting = {
        async getPaymentResult(query: PaymentResultQuery) {
          // Other orders due in this store wait for a later round.
          if (!('orderId' in query) || query.orderId !== order.mixpay_order_id) throw new MixPayUnavailableError('not this one');
          calls += 1;
          return resultFor(order, { status: 'unpaid' });
        },
        async createOneTimePayment(): Promise<{ code: string }> {
          throw new Error('not used');
        },
      };
      // Right after the round's lease of this order (and before anything else of the round), an
      // operator or another process makes it due for a check: the round only came to reschedule it.
      // (SQLite's one connection is still Kysely's while a plugin runs: there, better-sqlite3 directly.)
      let madeDue = false;
      const afterLease: KyselyPlugin = {
        transformQuery: (args) => args.node,
        async transformResult(args) {
          if (madeDue) return args.result;
          const row = store.sqlite
            ? (store.sqlite.prepare('SELECT next_check_at, check_count FROM orders WHERE id = ?').get(id) as { next_check_at: number; check_count: number })
            : await store.db.selectFrom('orders').select(['next_check_at', 'check_count']).where('id', '=', id).executeTakeFirstOrThrow();
          if (row.check_count === RESCHEDULE && row.next_check_at! > clock.ms) {
            madeDue = true;
            if (store.sqlite) store.sqlite.prepare('UPDATE orders SET next_check_at = ?, check_count = 0 WHERE id = ?').run(clock.ms, id);
            else await store.db.updateTable('orders').set({ next_check_at: clock.ms, check_count: 0 }).where('id', '=', id).execute();
          }
          return args.result;
        },
      };
      const worker = new Reconciler({ store: { ...store, db: store.db.withPlugin(afterLease) }, mixpay: counting, now: clock.now, log: () => {}, graceMs: GRACE });
      const checked = async () => (await findOrder(store.db, id))!.last_checked_at !== null;
      for (let i = 0; i < 20 && !(await checked()); i++) await worker.runOnce();
      assert.ok(madeDue, 'the round leased the order for rescheduling');
      assert.ok(await checked(), 'a later round checked it');
      await worker.runOnce();
      assert.equal(calls, 1, 'the round that leased it to reschedule read it as due and checked it as well');
    });

    test('MixPay answering 1429, 500 or timing out: nothing marked wrongly, all settled once it recovers', async () => {
      clock.ms = Date.now();
      const budget = new CallBudget(store.db, { perMinute: 50, now: clock.now, name: 'outage' });
      const worker = reconciler(budget);
      const orders = await Promise.all([0, 1, 2, 3].map(() => createOrder(stack)));
      await simulate(stack, codeOf(orders[0]), { outcome: 'success' });
      await simulate(stack, codeOf(orders[1]), { outcome: 'fail' });
      await simulate(stack, codeOf(orders[2]), { outcome: 'paid_less', paymentAmount: '5' });
      await worker.runOnce(); // scheduling only
      // Far past every order's expiry and grace: the worst moment for an outage.
      clock.advance(60 * MINUTE);
      for (const failure of ['1429', '500', 'timeout'] as const) {
        mode = failure;
        hits = 0;
        const round = await worker.runOnce();
        assert.equal(round.changed, 0);
        assert.equal(round.stoppedBy, failure === '1429' ? 'rate_limited' : 'unavailable', failure);
        assert.equal(hits, 1, `${failure}: one call, then the round stops`);
        // The back-off is shared: an immediate new round sends nothing.
        const again = await worker.runOnce();
        assert.equal(again.stoppedBy, 'budget');
        assert.equal(hits, 1, `${failure}: backing off`);
        const state = await budget.state();
        assert.ok(state.blockedUntil > clock.ms);
        clock.ms = state.blockedUntil + 1;
      }
      for (const created of orders) assert.equal(await statusOf(created.order.order_id), 'NEW', 'nothing changed while MixPay was failing');
      mode = 'ok';
      hits = 0;
      const settled = await runRounds(worker, 10, async () => {
        const statuses = await Promise.all(orders.map((o) => statusOf(o.order.order_id)));
        return statuses.every((s) => s !== 'NEW' && s !== 'UNRESOLVED');
      });
      assert.ok(settled);
      assert.deepEqual(await Promise.all(orders.map((o) => statusOf(o.order.order_id))), ['PAID', 'FAILED', 'EXPIRED', 'EXPIRED']);
      // Includes the late and settlement checks of the earlier cases' orders, now due as well.
      assert.ok(hits <= 20, `${hits} calls to settle four orders`);
    });

    test('one budget of 60 in any minute, shared by every process', async () => {
      clock.ms = Date.now();
      // Two "processes": two budget objects over the same rows.
      const a = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: 'shared' });
      const b = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: 'shared' });
      const results = await Promise.all(Array.from({ length: 70 }, (_, i) => (i % 2 ? a : b).tryTake()));
      assert.equal(results.filter((wait) => wait === 0).length, 60, 'the whole window at once');
      assert.equal(await a.tryTake(), MINUTE, 'then the next when the first leaves the window');
      // Over any minute: at most 60 calls.
      let taken = 0;
      const start = clock.ms;
      while (clock.ms - start < MINUTE) {
        if ((await (taken % 2 ? a : b).tryTake()) === 0) taken += 1;
        clock.advance(100);
      }
      assert.equal(taken, 0, `${taken} more in the rest of that minute`);
      assert.ok(60 + taken <= 60);
      // The reserve: background work stops while a few calls are left for callbacks.
      clock.advance(MINUTE);
      let background = 0;
      while ((await a.tryTake(3)) === 0) background += 1;
      assert.equal(background, 60 - 3);
      assert.equal(await a.tryTake(0), 0, 'a callback still gets a call');
      await assert.rejects(a.take({ maxWaitMs: 0, reserve: 8 }), MixPayBudgetError);
    });

    test('stop() ends the loop and leaves no timer', async () => {
      const timers = watchTimers(new URL('../../server/core/worker-loop.ts', import.meta.url));
      try {
        const worker = reconciler().start(20);
        // The next run is scheduled only once the first round (database reads) ends: wait for it.
        await eventually(() => timers.scheduled >= 1, 10_000, 'the loop to schedule its next run');
        assert.ok(timers.scheduled >= 1, 'the loop scheduled its next run');
        await worker.stop();
        assert.equal(timers.pending, 0, 'no run is left scheduled');
      } finally {
        timers.restore();
      }
    });
  });
}
