/**
 * The forged-result matrix (issue 13 §8): what MixPay's /payments_result may say about an order,
 * honest or not, on both backends. Tampered amount, asset or payee, a status that is not success,
 * another order's payment in any spelling: never PAID. The same facts in another spelling (the
 * amount with trailing zeros, the asset or payee in upper case or without dashes): PAID. A replay
 * changes nothing, and 50 concurrent duplicate callbacks make one PAID transition and one
 * notification. Prints `N passed, N failed`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { createOrder, historyOf, resultFor, ScriptedMixPay } from '../support/merchant.ts';
import { findOrder, type Order } from '../../server/merchant/order-store.ts';
import type { MixPayClient } from '../../server/mixpay/client.ts';
import type { PaymentResult } from '../../server/mixpay/types.ts';

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const bare = (uuid: string) => uuid.replace(/-/g, '');

interface Case {
  name: string;
  /** The result MixPay answers, from an honest success for the order. */
  forge: (honest: PaymentResult, order: Order, other: Order) => Partial<PaymentResult>;
  paid: boolean;
}

const CASES: Case[] = [
  { name: 'honest success', forge: () => ({}), paid: true },
  { name: 'amount with trailing zeros', forge: (h) => ({ quoteAmount: `${h.quoteAmount}000` }), paid: true },
  { name: 'asset in upper case', forge: (h) => ({ quoteAssetId: h.quoteAssetId.toUpperCase() }), paid: true },
  { name: 'asset without dashes', forge: (h) => ({ quoteAssetId: bare(h.quoteAssetId) }), paid: true },
  { name: 'payee in upper case without dashes', forge: (h) => ({ payeeId: bare(h.payeeId).toUpperCase() }), paid: true },
  { name: 'amount one satoshi less', forge: () => ({ quoteAmount: '10.49999999' }), paid: false },
  { name: 'amount one satoshi more', forge: () => ({ quoteAmount: '10.50000001' }), paid: false },
  { name: 'amount as an exponent', forge: () => ({ quoteAmount: '1.05e1' }), paid: false },
  { name: 'amount with a sign', forge: () => ({ quoteAmount: '+10.5' }), paid: false },
  { name: 'another asset', forge: () => ({ quoteAssetId: 'c6d0c728-2624-429b-8e0d-d9d19b6592fa' }), paid: false },
  { name: 'a fiat code instead of the asset', forge: () => ({ quoteAssetId: 'usd' }), paid: false },
  { name: 'another payee', forge: () => ({ payeeId: randomUUID() }), paid: false },
  { name: 'payee with a moved dash', forge: (h) => ({ payeeId: `${bare(h.payeeId).slice(0, 7)}-${bare(h.payeeId).slice(7)}` }), paid: false },
  { name: 'status fail', forge: () => ({ status: 'failed', failureCode: '40000', failureReason: 'Payment overtime' }), paid: false },
  { name: 'status pending', forge: () => ({ status: 'pending' }), paid: false },
  { name: 'status unknown', forge: () => ({ status: 'paid' as PaymentResult['status'] }), paid: false },
  { name: "another order's payment", forge: (_h, _o, other) => ({ traceId: other.mixpay_trace_id! }), paid: false },
  { name: "another order's payment in upper case", forge: (_h, _o, other) => ({ traceId: other.mixpay_trace_id!.toUpperCase() }), paid: false },
  { name: "another order's payment without dashes", forge: (_h, _o, other) => ({ traceId: bare(other.mixpay_trace_id!) }), paid: false },
];

for (const backend of await backends()) {
  describe(`forged payment results (${backend.name})`, () => {
    let store: TestStore;
    let stack: Stack;
    /** The stack's own MixPay (the sandbox): orders get real links, only the results are scripted. */
    let sandboxMixPay: Stack['deps']['mixpay'];
    before(async () => {
      store = await backend.create();
      stack = await startStack(store, { MIXPAY_SETTLEMENT_ASSET_ID: USDT });
      sandboxMixPay = stack.deps.mixpay;
    });
    after(async () => {
      await stack.close();
      await store.dispose();
    });

    const callback = (body: unknown) => fetch(`${stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    /** A USDT-priced order, and a second order already PAID by its own payment. */
    async function orders(): Promise<{ order: Order; other: Order }> {
      stack.deps.mixpay = sandboxMixPay;
      const order = (await findOrder(store.db, (await createOrder(stack, { price_currency: USDT })).order.order_id))!;
      const other = (await findOrder(store.db, (await createOrder(stack, { price_currency: USDT })).order.order_id))!;
      const trace = randomUUID();
      stack.deps.mixpay = Object.assign(new ScriptedMixPay(() => resultFor(other, { status: 'success', paymentAmount: '10.5', traceId: trace })), {}) as unknown as MixPayClient;
      await callback({ orderId: other.id });
      return { order, other: (await findOrder(store.db, other.id))! };
    }

    test(`${CASES.length} results, honest and forged`, async () => {
      const real = stack.deps.mixpay;
      const failures: string[] = [];
      try {
        for (const c of CASES) {
          const { order, other } = await orders();
          assert.equal(other.status, 'PAID', 'the other order holds its payment');
          const honest = resultFor(order, { status: 'success', paymentAmount: '10.5', traceId: randomUUID() });
          stack.deps.mixpay = new ScriptedMixPay(() => ({ ...honest, ...c.forge(honest, order, other) })) as unknown as MixPayClient;
          await callback({ orderId: order.id });
          const after = (await findOrder(store.db, order.id))!;
          if ((after.status === 'PAID') !== c.paid) failures.push(`${c.name}: ${after.status}`);
          else if (!c.paid && after.status === 'PAID') failures.push(`${c.name}: paid`);
        }
      } finally {
        stack.deps.mixpay = real;
      }
      console.log(`forged results (${backend.name}): ${CASES.length - failures.length} passed, ${failures.length} failed`);
      assert.deepEqual(failures, []);
    });

    test('a replay changes nothing; 50 concurrent duplicate callbacks make one PAID and one notification', async () => {
      const created = await createOrder(stack, { price_currency: USDT, callback_url: 'https://merchant.example/hook' });
      const order = (await findOrder(store.db, created.order.order_id))!;
      const real = stack.deps.mixpay;
      stack.deps.mixpay = new ScriptedMixPay(() => resultFor(order, { status: 'success', paymentAmount: '10.5', traceId: randomUUID() })) as unknown as MixPayClient;
      try {
        const answers = await Promise.all(Array.from({ length: 50 }, () => callback({ orderId: order.id })));
        const codes = await Promise.all(answers.map(async (a) => `${a.status} ${((await a.json()) as { code: string }).code}`));
        // Every duplicate is either handled or told to come back (a per-order limit on MixPay checks).
        assert.ok(codes.every((c) => c === '200 SUCCESS' || c.endsWith('RETRY')), codes.join(', '));
        await callback({ orderId: order.id });
      } finally {
        stack.deps.mixpay = real;
      }
      const after = (await findOrder(store.db, order.id))!;
      assert.equal(after.status, 'PAID');
      const paid = (await historyOf(store, order.id)).filter((e) => e.to_status === 'PAID');
      assert.equal(paid.length, 1, 'one PAID transition');
      const notifications = await store.db.selectFrom('notifications').select(['id', 'order_status']).where('order_id', '=', order.id).execute();
      assert.equal(notifications.filter((n) => n.order_status === 'PAID').length, 1, 'one PAID notification');
      console.log(`duplicate callbacks (${backend.name}): 1 passed, 0 failed (50 at once, then a replay)`);
    });
  });
}
