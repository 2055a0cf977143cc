/**
 * Ids compared by the one rule of server/core/ids.ts (issue 13 §3) at every site of payment
 * verification: "one payment never pays two orders" (traceId against other orders' traces and
 * link codes), the traceId an order stores, and the payee and quote asset of a result. Over real
 * HTTP with the sandbox, on both backends; MixPay's answers come from a script.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { createOrder, historyOf, resultFor, ScriptedMixPay } from '../support/merchant.ts';
import { findOrder, patchOrder } from '../../server/merchant/order-store.ts';
import type { MixPayClient } from '../../server/mixpay/client.ts';
import type { PaymentResult } from '../../server/mixpay/types.ts';

const bare = (uuid: string) => uuid.replace(/-/g, '');

for (const backend of await backends()) {
  describe(`ids by one rule on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);

    const callback = (body: unknown) =>
      fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    async function withAnswer(answer: PaymentResult, body: () => Promise<void>) {
      const real = suite.stack.deps.mixpay;
      suite.stack.deps.mixpay = new ScriptedMixPay(() => answer) as unknown as MixPayClient;
      try {
        await body();
      } finally {
        suite.stack.deps.mixpay = real;
      }
    }

    /** An order already PAID by payment `trace`. */
    async function paidBy(trace: string) {
      const created = await createOrder(suite.stack);
      const order = (await findOrder(suite.store.db, created.order.order_id))!;
      await withAnswer({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: trace }, async () => {
        await callback({ orderId: order.id });
      });
      const paid = (await findOrder(suite.store.db, order.id))!;
      assert.equal(paid.status, 'PAID');
      return paid;
    }

    test("another order's traceId in upper case or without dashes never pays a second order", async () => {
      const trace = randomUUID();
      await paidBy(trace);
      for (const spelling of [trace.toUpperCase(), bare(trace), bare(trace).toUpperCase()]) {
        const created = await createOrder(suite.stack);
        const order = (await findOrder(suite.store.db, created.order.order_id))!;
        await withAnswer({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: spelling }, async () => {
          const response = await callback({ orderId: order.id });
          assert.deepEqual(await response.json(), { code: 'SUCCESS' });
        });
        assert.equal((await findOrder(suite.store.db, order.id))?.status, 'NEW', spelling);
        const reasons = (await historyOf(suite.store, order.id)).map((e) => e.reason);
        assert.ok(reasons.includes('mismatch:traceId'), `${spelling}: ${reasons.join(', ')}`);
      }
    });

    test("another order's link code in another spelling is not this order's payment either", async () => {
      const created = await createOrder(suite.stack);
      const holder = (await findOrder(suite.store.db, created.order.order_id))!;
      // A link code that is a UUID (MixPay's are), stored as MixPay gave it.
      const code = randomUUID();
      await patchOrder(suite.store.db, holder.id, { mixpay_code: code }, Date.now());
      const victim = (await findOrder(suite.store.db, (await createOrder(suite.stack)).order.order_id))!;
      await withAnswer({ ...resultFor(victim, { status: 'success', paymentAmount: '10.5' }), traceId: bare(code).toUpperCase() }, async () => {
        await callback({ orderId: victim.id });
      });
      assert.equal((await findOrder(suite.store.db, victim.id))?.status, 'NEW');
    });

    test('a traceId is stored in its canonical spelling, and the same payment seen again is still this order', async () => {
      const trace = randomUUID();
      const created = await createOrder(suite.stack);
      const order = (await findOrder(suite.store.db, created.order.order_id))!;
      await withAnswer({ ...resultFor(order, { status: 'pending', paymentAmount: '10.5' }), traceId: bare(trace).toUpperCase() }, async () => {
        await callback({ orderId: order.id });
      });
      const pending = (await findOrder(suite.store.db, order.id))!;
      assert.equal(pending.status, 'PENDING');
      assert.equal(pending.mixpay_trace_id, trace, 'lowercase, dashed');
      // The success names the same payment in yet another spelling: it is this order's own.
      await withAnswer({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: trace.toUpperCase() }, async () => {
        await callback({ orderId: order.id });
      });
      const paid = (await findOrder(suite.store.db, order.id))!;
      assert.equal(paid.status, 'PAID');
      assert.equal(paid.mixpay_trace_id, trace);
    });

    test('a callback naming only the traceId, or our order id, in another spelling finds the order', async () => {
      const trace = randomUUID();
      const created = await createOrder(suite.stack);
      const order = (await findOrder(suite.store.db, created.order.order_id))!;
      await withAnswer({ ...resultFor(order, { status: 'pending', paymentAmount: '10.5' }), traceId: trace }, async () => {
        await callback({ orderId: order.id });
      });
      assert.equal((await findOrder(suite.store.db, order.id))!.status, 'PENDING');
      await withAnswer({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: trace }, async () => {
        // MixPay names only the payment, in upper case without dashes: still this order.
        await callback({ traceId: bare(trace).toUpperCase() });
      });
      assert.equal((await findOrder(suite.store.db, order.id))!.status, 'PAID');
      const other = await createOrder(suite.stack);
      const otherOrder = (await findOrder(suite.store.db, other.order.order_id))!;
      await withAnswer({ ...resultFor(otherOrder, { status: 'success', paymentAmount: '10.5' }), traceId: randomUUID() }, async () => {
        await callback({ orderId: otherOrder.id.toUpperCase() });
      });
      assert.equal((await findOrder(suite.store.db, otherOrder.id))!.status, 'PAID');
    });

    test('payee ids and quote asset UUIDs in another spelling are not a mismatch', async () => {
      const usdt = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
      // A price in USDT, named by its asset UUID (in upper case: stored canonical).
      const created = await createOrder(suite.stack, { price_currency: usdt.toUpperCase() });
      const order = (await findOrder(suite.store.db, created.order.order_id))!;
      assert.equal(order.quote_asset_id, usdt);
      const answer = { ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), traceId: randomUUID(), payeeId: bare(order.payee_id).toUpperCase(), quoteAssetId: bare(usdt).toUpperCase() };
      await withAnswer(answer, async () => {
        await callback({ orderId: order.id });
      });
      assert.equal((await findOrder(suite.store.db, order.id))?.status, 'PAID');
    });
  });
}
