/**
 * Honest answers to MixPay (issue 13 §8, Deliver 5) and underpaid successes on record (§13,
 * Deliver 7), over real HTTP on both backends. Our client talks to a stand-in MixPay that answers
 * from a script, in MixPay's envelope, so every shape of "not a usable result" goes through the
 * real client: only a usable result (or MixPay's "no such payment") is acknowledged SUCCESS;
 * anything else asks MixPay to call again and changes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { listen, type Listening } from '../support/http.ts';
import { codeOf, createOrder, historyOf, resultFor, simulate, waitForStatus } from '../support/merchant.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';

const ADMIN_KEY = 'admin-key-0123456789abcdef';

for (const backend of await backends()) {
  describe(`honest callback answers on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;
    let fake: Listening;
    /** What the stand-in MixPay answers to /payments_result: HTTP status and body. */
    let answer: { status: number; body: unknown } = { status: 200, body: {} };

    before(async () => {
      store = await backend.create();
      stack = await startStack(store, { ADMIN_API_KEY: ADMIN_KEY });
      fake = await listen(() => Response.json(answer.body, { status: answer.status }));
    });
    after(async () => {
      await fake.close();
      await stack.close();
      await store.dispose();
    });

    const callback = (body: unknown) =>
      fetch(`${stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    /** Runs `body` with our client pointed at the stand-in. */
    async function withFake(body: () => Promise<void>) {
      const real = stack.deps.mixpay;
      stack.deps.mixpay = new MixPayClient({ baseUrl: fake.url, timeoutMs: 2000 });
      try {
        await body();
      } finally {
        stack.deps.mixpay = real;
      }
    }

    const envelope = (data: unknown) => ({ code: 0, success: true, message: '', data, timestampMs: Date.now() });

    test('an answer that is not a usable result makes the callback ask MixPay to call again', async () => {
      const created = await createOrder(stack);
      const order = (await findOrder(store.db, created.order.order_id))!;
      const unusable: Array<[string, { status: number; body: unknown }]> = [
        ['HTTP 200 with success:false', { status: 200, body: { code: 10001, success: false, message: 'System busy', data: [] } }],
        ['HTTP 400 with success:false and another code', { status: 400, body: { code: 1017, success: false, message: 'Parameter error.', data: [] } }],
        ['success without data', { status: 200, body: { code: 0, success: true, message: '', data: [] } }],
        ['a result with no status', { status: 200, body: envelope({ ...resultFor(order, {}), status: undefined }) }],
        ['a result with an unknown status', { status: 200, body: envelope(resultFor(order, { status: 'refunded' as never })) }],
        ['a result with no payee', { status: 200, body: envelope({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), payeeId: undefined }) }],
        ['a result with no quote amount', { status: 200, body: envelope({ ...resultFor(order, { status: 'success', paymentAmount: '10.5' }), quoteAmount: null }) }],
      ];
      await withFake(async () => {
        for (const [name, shape] of unusable) {
          answer = shape;
          const response = await callback({ orderId: order.id });
          assert.notDeepEqual(await response.json(), { code: 'SUCCESS' }, name);
          assert.notEqual(response.status, 200, name);
          assert.equal((await findOrder(store.db, order.id))?.status, 'NEW', name);
        }
      });
    });

    test('a well-formed unpaid result, and MixPay saying it has no such payment, are handled', async () => {
      const created = await createOrder(stack);
      const order = (await findOrder(store.db, created.order.order_id))!;
      const handled: Array<[string, { status: number; body: unknown }]> = [
        ['unpaid', { status: 200, body: envelope(resultFor(order, { status: 'unpaid' })) }],
        ['no such payment', { status: 404, body: { code: 404, success: false, message: 'The payment link you visited does not exist.', data: [] } }],
      ];
      await withFake(async () => {
        for (const [name, shape] of handled) {
          answer = shape;
          const response = await callback({ orderId: order.id });
          assert.equal(response.status, 200, name);
          assert.deepEqual(await response.json(), { code: 'SUCCESS' }, name);
        }
      });
      assert.equal((await findOrder(store.db, order.id))?.status, 'NEW');
    });

    test('a success below the price is PAID (seed 003 checks quoteAmount), with a history line and an admin flag', async () => {
      const created = await createOrder(stack);
      const id = created.order.order_id;
      // The sandbox reports the quote as asked but 1 of the 10.5 payable as paid.
      await simulate(stack, codeOf(created), { outcome: 'success', paymentAmount: '1' });
      const paid = await waitForStatus(store, id, 'PAID');
      assert.equal(paid.pay_amount, '1');
      const history = await historyOf(store, id);
      const line = history.find((e) => e.reason === 'underpaid');
      assert.ok(line, `history: ${history.map((e) => e.reason).join(', ')}`);
      assert.deepEqual(JSON.parse(line.detail!), { paymentAmount: '1', payableAmount: '10.5', asset: stack.deps.config.MIXPAY_SETTLEMENT_ASSET_ID });
      const admin = (await (await fetch(`${stack.url}/admin/v1/orders/${id}`, { headers: { 'x-admin-key': ADMIN_KEY } })).json()) as any;
      assert.equal(admin.order.underpaid, true);
      assert.ok(admin.history.some((e: any) => e.reason === 'underpaid'));

      // A full payment carries no flag.
      const full = await createOrder(stack);
      await simulate(stack, codeOf(full), { outcome: 'success' });
      await waitForStatus(store, full.order.order_id, 'PAID');
      const fine = (await (await fetch(`${stack.url}/admin/v1/orders/${full.order.order_id}`, { headers: { 'x-admin-key': ADMIN_KEY } })).json()) as any;
      assert.equal(fine.order.underpaid, false);
      assert.equal((await historyOf(store, full.order.order_id)).some((e) => e.reason === 'underpaid'), false);
    });
  });
}
