/**
 * Callbacks from unknown sources cannot spend the merchant's MixPay budget (issue 13 §4, §6): with
 * MIXPAY_CALLBACK_IPS unset, anyone may post an order id they saw, and each accepted callback costs
 * a `/payments_result` call. From an address that is not MixPay's, callback checks are capped per
 * source address and per order, and leave the budget's reserve to the merchant's own calls; a
 * throttled callback is answered non-SUCCESS (MixPay calls again), and the reconciler remains the
 * safety net. MixPay's published address is not capped. Over real HTTP, on both backends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { createOrder, resultFor, ScriptedMixPay } from '../support/merchant.ts';
import { TestClock } from '../support/orders.ts';
import { findOrder, type Order } from '../../server/merchant/order-store.ts';
import { BudgetedMixPay, CallBudget, type MixPayApi } from '../../server/mixpay/call-budget.ts';
import { isKnownCallbackSource, MIXPAY_CALLBACK_SOURCE, SourceCheckLimiter } from '../../server/mixpay/callback-limits.ts';

let names = 0;

describe('callback sources (pure)', () => {
  test("MixPay's published address, the allow-list when set, and this host only while the sandbox plays MixPay", () => {
    const open = { MIXPAY_CALLBACK_IPS: [] as string[], MIXPAY_SANDBOX: false };
    assert.equal(isKnownCallbackSource(MIXPAY_CALLBACK_SOURCE, open), true);
    for (const other of ['127.0.0.1', '::1', 'unknown', '198.51.100.7']) assert.equal(isKnownCallbackSource(other, open), false, other);
    assert.equal(isKnownCallbackSource('127.0.0.1', { ...open, MIXPAY_SANDBOX: true }), true);
    assert.equal(isKnownCallbackSource('unknown', { ...open, MIXPAY_SANDBOX: true }), true);
    const listed = { MIXPAY_CALLBACK_IPS: ['203.0.113.9'], MIXPAY_SANDBOX: true };
    assert.equal(isKnownCallbackSource('203.0.113.9', listed), true);
    assert.equal(isKnownCallbackSource(MIXPAY_CALLBACK_SOURCE, listed), false, 'the list, when set, is the whole truth');
  });

  test('per-source counts: a few a minute each, reset when the minute turns, bounded memory', () => {
    const clock = new TestClock(Date.UTC(2026, 0, 1, 12, 0, 10));
    const limiter = new SourceCheckLimiter(2, clock.now);
    assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('b')], [0, 0, 0]);
    assert.equal(limiter.take('a'), 50_000, 'until the next minute');
    clock.advance(50_000);
    assert.equal(limiter.take('a'), 0);
  });
});

for (const backend of await backends()) {
  describe(`callback checks from unknown sources on ${backend.name}`, () => {
    const suite = stackPerSuite(backend, { TRUST_PROXY: '1', MIXPAY_CALLBACK_CHECKS_PER_SOURCE: '3', MIXPAY_RESERVED_CALLS: '3' });

    const callback = (orderId: string, from: string) =>
      fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify({ orderId }) });

    async function orders(count: number): Promise<Order[]> {
      const made: Order[] = [];
      for (let i = 0; i < count; i++) made.push((await findOrder(suite.store.db, (await createOrder(suite.stack)).order.order_id))!);
      return made;
    }

    /** Runs `body` with MixPay answering "unpaid" through a budget of `perMinute`, the server on a frozen clock. */
    async function withBudget(perMinute: number, body: (script: ScriptedMixPay, budget: CallBudget) => Promise<void>) {
      const script = new ScriptedMixPay(() => ({ ...resultFor({ payee_id: suite.stack.deps.config.MIXPAY_PAYEE_ID, price_amount: '10.50', quote_asset_id: 'usd', mixpay_order_id: 'x' }, { status: 'unpaid' }) }));
      // Each test an hour apart: its own minute for the per-source counts.
      const clock = new TestClock(Date.UTC(2026, 0, 1) + ++names * 3_600_000);
      const budget = new CallBudget(suite.store.db, { perMinute, now: clock.now, name: `callback-limits-${backend.name}-${names}` });
      const real = { mixpay: suite.stack.deps.mixpay, now: suite.stack.deps.now };
      suite.stack.deps.mixpay = new BudgetedMixPay(script as MixPayApi, budget, { maxWaitMs: 0 });
      // The server's clock too: no minute turns and no interval passes while a test runs.
      suite.stack.deps.now = clock.now;
      try {
        await body(script, budget);
      } finally {
        Object.assign(suite.stack.deps, real);
      }
    }

    const handled = async (response: Response) => response.status === 200 && ((await response.json()) as { code?: string }).code === 'SUCCESS';

    test('one address gets MIXPAY_CALLBACK_CHECKS_PER_SOURCE checks a minute; then non-SUCCESS with Retry-After and no MixPay call', async () => {
      const list = await orders(5);
      await withBudget(60, async (script) => {
        const answers: boolean[] = [];
        for (const order of list) answers.push(await handled(await callback(order.id, '198.51.100.7')));
        assert.deepEqual(answers, [true, true, true, false, false]);
        assert.equal(script.calls, 3);
        const refused = await callback(list[4]!.id, '198.51.100.7');
        assert.equal(refused.status, 429);
        assert.notEqual(((await refused.json()) as { code?: string }).code, 'SUCCESS');
        assert.ok(Number(refused.headers.get('retry-after')) >= 1);
        assert.equal(script.calls, 3);
        // Another address has its own allowance.
        assert.equal(await handled(await callback(list[4]!.id, '198.51.100.8')), true);
        assert.equal(script.calls, 4);
      });
    });

    test("one order is checked at most once per interval for unknown sources, however many addresses ask; MixPay's address is not capped", async () => {
      const [order] = await orders(1);
      await withBudget(60, async (script) => {
        assert.equal(await handled(await callback(order!.id, '203.0.113.1')), true);
        for (let i = 2; i < 8; i++) assert.equal(await handled(await callback(order!.id, `203.0.113.${i}`)), false);
        assert.equal(script.calls, 1, 'strangers rotating addresses cost one call');
        for (let i = 0; i < 5; i++) assert.equal(await handled(await callback(order!.id, MIXPAY_CALLBACK_SOURCE)), true);
        assert.equal(script.calls, 6, "MixPay's own callbacks are all checked");
      });
    });

    test("unknown sources leave the budget's reserve: MixPay's callbacks and the merchant's calls still find theirs", async () => {
      const list = await orders(7);
      // A window of 6 calls, 3 reserved: strangers get 3 at most.
      await withBudget(6, async (script, budget) => {
        const answers: boolean[] = [];
        for (let i = 0; i < 5; i++) answers.push(await handled(await callback(list[i]!.id, `192.0.2.${i + 1}`)));
        assert.deepEqual(answers, [true, true, true, false, false]);
        assert.equal(script.calls, 3);
        assert.equal((await budget.state()).available, 3);
        const refused = await callback(list[6]!.id, '192.0.2.99');
        assert.equal(refused.status, 503);
        assert.equal(refused.headers.get('retry-after'), '60', 'the frozen window frees its first slot in 60 s');
        assert.equal(await handled(await callback(list[5]!.id, MIXPAY_CALLBACK_SOURCE)), true);
        assert.equal((await budget.state()).available, 2);
        const order = list[0]!;
        assert.equal((await findOrder(suite.store.db, order.id))?.status, 'NEW');
      });
    });
  });
}
