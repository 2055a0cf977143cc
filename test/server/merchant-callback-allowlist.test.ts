/**
 * MIXPAY_CALLBACK_IPS (optional, contracts §1: MixPay calls from 52.198.117.57): callbacks from
 * other addresses are refused before any lookup or MixPay call, so a stranger who knows an order
 * id cannot spend the installation's MixPay budget; MixPay's own still go through every check.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { createOrder, resultFor, ScriptedMixPay } from '../support/merchant.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import type { MixPayClient } from '../../server/mixpay/client.ts';

const MIXPAY_IP = '52.198.117.57';

for (const backend of await backends()) {
  describe(`callback allow-list on ${backend.name}`, () => {
    const suite = stackPerSuite(backend, { MIXPAY_CALLBACK_IPS: `${MIXPAY_IP}, 203.0.113.9`, TRUST_PROXY: '1' });

    const callback = (body: unknown, from?: string) =>
      fetch(`${suite.stack.url}/mixpay/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(from ? { 'x-forwarded-for': from } : {}) },
        body: JSON.stringify(body),
      });

    test('callbacks from elsewhere change nothing and cost no MixPay call; MixPay\'s address is checked as usual', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      const order = (await findOrder(suite.store.db, id))!;
      const script = new ScriptedMixPay(() => resultFor(order, { status: 'success', paymentAmount: '10.5' }));
      const real = suite.stack.deps.mixpay;
      suite.stack.deps.mixpay = script as unknown as MixPayClient;
      try {
        for (const from of [undefined, '198.51.100.1', `${MIXPAY_IP}, 198.51.100.1`, '52.198.117.570']) {
          const response = await callback({ orderId: id }, from);
          assert.equal(response.status, 403, String(from));
          assert.notDeepEqual(await response.json(), { code: 'SUCCESS' });
        }
        assert.equal(script.calls, 0);
        assert.equal((await findOrder(suite.store.db, id))?.status, 'NEW');
        // A client-chosen first entry does not help; the proxy's own last entry is MixPay's.
        const fromMixPay = await callback({ orderId: id }, `198.51.100.1, ::ffff:${MIXPAY_IP}`);
        assert.deepEqual(await fromMixPay.json(), { code: 'SUCCESS' });
        assert.equal(script.calls, 1);
        assert.equal((await findOrder(suite.store.db, id))?.status, 'PAID');
      } finally {
        suite.stack.deps.mixpay = real;
      }
    });
  });
}
