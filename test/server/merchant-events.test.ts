/**
 * Every MixPay callback event through the same MUST checks, over real HTTP with the sandbox, on
 * both backends: success, pending, paid_less, fail, settle (stored even on a PAID order), expiry
 * as MixPay reports it, duplicates, news arriving out of order, and payments after expiry/cancel.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { callbacksAcknowledged, codeOf, createOrder, historyOf, resultFor, ScriptedMixPay, simulate, waitForStatus } from '../support/merchant.ts';
import { sameAmount } from '../../server/core/amounts.ts';
import { findOrder, transitionOrder } from '../../server/merchant/order-store.ts';
import type { MixPayClient } from '../../server/mixpay/client.ts';
import { MixPayRateLimitError, MixPayUnavailableError } from '../../server/mixpay/errors.ts';
import { MixPayBudgetError } from '../../server/mixpay/call-budget.ts';
import type { PaymentResult } from '../../server/mixpay/types.ts';

for (const backend of await backends()) {
  describe(`MixPay callback events on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);

    const callback = (body: unknown) =>
      fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    /** Runs `body` with MixPay's result API replaced by a script. */
    async function withScript(script: ScriptedMixPay, body: () => Promise<void>) {
      const real = suite.stack.deps.mixpay;
      suite.stack.deps.mixpay = script as unknown as MixPayClient;
      try {
        await body();
      } finally {
        suite.stack.deps.mixpay = real;
      }
    }

    test('success makes the order PAID; the later settle event stores settlement on the PAID order', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      await simulate(suite.stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(suite.store, id, 'PAID');
      await callbacksAcknowledged(suite.stack, codeOf(created), 1, 'settle');
      const order = await findOrder(suite.store.db, id);
      assert.equal(order?.status, 'PAID');
      assert.equal(order?.settle_status, 'success');
      assert.ok(sameAmount(order?.settle_amount, '10.5'), `settle amount ${order?.settle_amount}`);
      assert.equal(order?.settle_asset, suite.stack.deps.config.MIXPAY_SETTLEMENT_ASSET_ID);
      const history = await historyOf(suite.store, id);
      assert.deepEqual(history.filter((e) => e.from_status !== e.to_status).map((e) => `${e.from_status}→${e.to_status}`), ['NEW→PAID']);
    });

    test('a settle event for a PAID order stores the settlement and records it, once', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      let answer = resultFor(order, { status: 'success', paymentAmount: '10.5', settleStatus: 'pending' });
      await withScript(new ScriptedMixPay(() => answer), async () => {
        await callback({ orderId: id });
        assert.equal((await findOrder(suite.store.db, id))?.settle_status, 'pending');
        answer = resultFor(order, { status: 'success', paymentAmount: '10.5', settleStatus: 'success', settleAmount: '10.4', settleAsset: 'asset-1', settleSymbol: 'USDT' });
        await callback({ orderId: id });
        await callback({ orderId: id });
      });
      const settled = await findOrder(suite.store.db, id);
      assert.deepEqual([settled?.status, settled?.settle_status, settled?.settle_amount, settled?.settle_asset, settled?.settle_symbol], ['PAID', 'success', '10.4', 'asset-1', 'USDT']);
      const history = await historyOf(suite.store, id);
      assert.equal(history.filter((e) => e.reason === 'settle').length, 1);
    });

    test('pending then success: NEW → PENDING → PAID', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      await simulate(suite.stack, codeOf(created), { outcome: 'pending' });
      const pending = await waitForStatus(suite.store, id, 'PENDING');
      assert.ok(pending.pay_amount);
      await simulate(suite.stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(suite.store, id, 'PAID');
      const moves = (await historyOf(suite.store, id)).filter((e) => e.from_status !== e.to_status).map((e) => `${e.from_status}→${e.to_status}`);
      assert.deepEqual(moves, ['NEW→PENDING', 'PENDING→PAID']);
    });

    test('paid_less stores what is still due; fail stores the reason', async () => {
      const less = await createOrder(suite.stack, { price_amount: '10' });
      await simulate(suite.stack, codeOf(less), { outcome: 'paid_less', paymentAmount: '4' });
      const unresolved = await waitForStatus(suite.store, less.order.order_id, 'UNRESOLVED');
      assert.equal(unresolved.amount_due, '6');
      assert.equal(unresolved.pay_amount, '4');

      const failed = await createOrder(suite.stack);
      await simulate(suite.stack, codeOf(failed), { outcome: 'fail' });
      const f = await waitForStatus(suite.store, failed.order.order_id, 'FAILED');
      assert.match(f.failure_reason ?? '', /Wrong/);
    });

    test('a link MixPay expired (fail, Payment overtime) makes the order EXPIRED, not FAILED', async () => {
      const created = await createOrder(suite.stack);
      await simulate(suite.stack, codeOf(created), { outcome: 'expire' });
      await waitForStatus(suite.store, created.order.order_id, 'EXPIRED');
    });

    test('the same callback many times at once applies the change once', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const script = new ScriptedMixPay(() => resultFor(order!, { status: 'success', paymentAmount: '10.5', paymentSymbol: 'USDT' }));
      const order = await findOrder(suite.store.db, id);
      await withScript(script, async () => {
        const answers = await Promise.all(Array.from({ length: 8 }, () => callback({ orderId: id, traceId: 'x', payeeId: 'y' })));
        for (const answer of answers) assert.deepEqual(await answer.json(), { code: 'SUCCESS' });
      });
      const history = await historyOf(suite.store, id);
      assert.equal(history.filter((e) => e.to_status === 'PAID' && e.from_status === 'NEW').length, 1);
      assert.equal((await findOrder(suite.store.db, id))?.version, (order?.version ?? 0) + 1, 'one write, one version bump');
    });

    test('news arriving out of order never moves an order back', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      const sequence = [
        resultFor(order, { status: 'success', paymentAmount: '10.5' }),
        resultFor(order, { status: 'pending', paymentAmount: '10.5' }),
        resultFor(order, { status: 'pending', payableAmount: '10.5', payment: { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '3' } }),
        resultFor(order, { status: 'failed', failureCode: '40024', failureReason: 'Wrong Amount paid' }),
        resultFor(order, { status: 'unpaid' }),
      ];
      let index = 0;
      await withScript(new ScriptedMixPay(() => sequence[Math.min(index++, sequence.length - 1)]!), async () => {
        for (let i = 0; i < sequence.length; i++) assert.equal((await callback({ orderId: id })).status, 200);
      });
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PAID');
      const moves = (await historyOf(suite.store, id)).filter((e) => e.from_status !== e.to_status);
      assert.equal(moves.length, 1);
    });

    test('a payment after expiry or cancel is recorded as a late payment, never dropped', async () => {
      for (const closed of ['EXPIRED', 'CANCELED'] as const) {
        const created = await createOrder(suite.stack);
        const id = created.order.order_id;
        await transitionOrder(suite.store.db, id, closed, 'test', {}, null, Date.now());
        const order = (await findOrder(suite.store.db, id))!;
        let answer = resultFor(order, { status: 'pending', paymentAmount: '10.5' });
        await withScript(new ScriptedMixPay(() => answer), async () => {
          await callback({ orderId: id });
          assert.equal((await findOrder(suite.store.db, id))?.status, closed, 'a confirming late payment moves nothing yet');
          answer = resultFor(order, { status: 'success', paymentAmount: '10.5', paymentSymbol: 'USDT' });
          await callback({ orderId: id });
        });
        const paid = await findOrder(suite.store.db, id);
        assert.equal(paid?.status, 'PAID');
        assert.equal(paid?.late_payment, 1);
        const history = await historyOf(suite.store, id);
        assert.ok(history.some((e) => e.reason === 'callback:pending:late'), 'the late pending payment is in the history');
        assert.ok(history.some((e) => e.from_status === closed && e.to_status === 'PAID' && e.reason.endsWith(':late')));
      }
    });

    test('while MixPay answers 1429, 500 or times out, callbacks ask to be called again and change nothing', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      const failures = [
        new MixPayRateLimitError(1429, 'Too many requests', 429),
        new MixPayUnavailableError('MixPay GET /payments_result answered HTTP 500: Server error'),
        new MixPayUnavailableError('MixPay GET /payments_result failed: The operation was aborted due to timeout'),
        new MixPayBudgetError(1200),
      ];
      let answer: PaymentResult | Error = failures[0]!;
      await withScript(new ScriptedMixPay(() => answer), async () => {
        for (const failure of failures) {
          answer = failure;
          const response = await callback({ orderId: id });
          assert.equal(response.status, 503, failure.message);
          assert.notDeepEqual(await response.json(), { code: 'SUCCESS' });
          assert.equal((await findOrder(suite.store.db, id))?.status, 'NEW');
        }
        // MixPay recovers and calls again, as its retry schedule does.
        answer = resultFor(order, { status: 'success', paymentAmount: '10.5' });
        const response = await callback({ orderId: id });
        assert.deepEqual(await response.json(), { code: 'SUCCESS' });
      });
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PAID');
    });

    test("a result carrying another order's payment, or naming another orderId, never marks this order paid", async () => {
      const paid = await createOrder(suite.stack);
      const paidOrder = (await findOrder(suite.store.db, paid.order.order_id))!;
      await withScript(new ScriptedMixPay(() => resultFor(paidOrder, { status: 'success', paymentAmount: '10.5' })), async () => {
        await callback({ orderId: paidOrder.id });
      });
      const first = (await findOrder(suite.store.db, paidOrder.id))!;
      assert.equal(first.status, 'PAID');
      assert.ok(first.mixpay_trace_id);

      const victim = await createOrder(suite.stack);
      const id = victim.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      const answers: PaymentResult[] = [
        // The same price, payee and asset, but the payment that already paid the first order.
        { ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: first.mixpay_trace_id! },
        // The link code of the first order as the traceId.
        { ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: first.mixpay_code! },
        // A result that says it is about another order.
        { ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), orderId: paidOrder.mixpay_order_id } as PaymentResult,
      ];
      for (const answer of answers) {
        await withScript(new ScriptedMixPay(() => answer), async () => {
          const response = await callback({ orderId: id, traceId: answer.traceId });
          assert.deepEqual(await response.json(), { code: 'SUCCESS' });
        });
        assert.equal((await findOrder(suite.store.db, id))?.status, 'NEW', JSON.stringify({ traceId: answer.traceId }));
      }
      const mismatches = (await historyOf(suite.store, id)).filter((e) => e.reason.startsWith('mismatch:'));
      assert.deepEqual(mismatches.map((e) => e.reason), ['mismatch:traceId', 'mismatch:traceId', 'mismatch:orderId']);

      // Its own payment still makes it PAID.
      await withScript(new ScriptedMixPay(() => resultFor(order, { status: 'success', paymentAmount: '10.5' })), async () => {
        await callback({ orderId: id });
      });
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PAID');
    });

    test('a settle result for a payment that did not succeed settles nothing', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      await withScript(new ScriptedMixPay(() => resultFor(order, { status: 'pending', paymentAmount: '10.5', settleStatus: 'success', settleAmount: '10.5', settleAsset: 'x' })), async () => {
        await callback({ orderId: id });
      });
      const after = await findOrder(suite.store.db, id);
      assert.equal(after?.status, 'PENDING');
      assert.equal(after?.settle_status, null);
    });
  });
}
