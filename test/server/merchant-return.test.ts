/**
 * Return pages (issue 4 §7): MixPay's returnTo / failedReturnTo point at /v1/orders/{id}/return,
 * which redirects only to that order's stored success_url / cancel_url, never to a URL from the
 * request, and never sends a failed payment to the success page. Without them: the order page.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStore } from '../support/stores.ts';
import { eventually, stackPerSuite, TEST_PAYEE_ID } from '../support/stack.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { codeOf, createOrder, simulate } from '../support/merchant.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';

describe('return pages', () => {
  const suite = stackPerSuite({ name: 'sqlite', create: createSqliteStore });

  const visit = (path: string) => fetch(`${suite.stack.url}${path}`, { redirect: 'manual' });

  test('the one-time link carries our return URLs, not the merchant\'s', async () => {
    const created = await createOrder(suite.stack, { success_url: 'https://merchant.example/thanks', cancel_url: 'https://merchant.example/cart' });
    const id = created.order.order_id;
    await simulate(suite.stack, codeOf(created), { outcome: 'success' });
    const result = await new MixPayClient({ baseUrl: suite.stack.deps.config.MIXPAY_API_BASE }).getPaymentResult({ orderId: id, payeeId: TEST_PAYEE_ID });
    assert.equal(result.returnTo, `${suite.stack.url}/v1/orders/${id}/return?outcome=success`);
    const failed = await createOrder(suite.stack, { cancel_url: 'https://merchant.example/cart' });
    await simulate(suite.stack, codeOf(failed), { outcome: 'fail' });
    const failedResult = await new MixPayClient({ baseUrl: suite.stack.deps.config.MIXPAY_API_BASE }).getPaymentResult({ orderId: failed.order.order_id, payeeId: TEST_PAYEE_ID });
    assert.equal(failedResult.returnTo, `${suite.stack.url}/v1/orders/${failed.order.order_id}/return?outcome=failed`);
  });

  test('redirects only to stored URLs, whatever the query says', async () => {
    const created = await createOrder(suite.stack, { success_url: 'https://merchant.example/thanks?x=1', cancel_url: 'https://merchant.example/cart' });
    const base = `/v1/orders/${created.order.order_id}/return`;
    for (const query of ['?outcome=success&success_url=https://evil.example', '?outcome=success&redirect=https://evil.example', '', '?outcome=weird']) {
      const answer = await visit(`${base}${query}`);
      assert.equal(answer.status, 302, query);
      assert.equal(answer.headers.get('location'), 'https://merchant.example/thanks?x=1', query);
    }
    const failed = await visit(`${base}?outcome=failed&cancel_url=https://evil.example`);
    assert.equal(failed.headers.get('location'), 'https://merchant.example/cart');
  });

  test('without stored URLs it lands on the hosted order page; a failure never lands on the success page', async () => {
    const bare = await createOrder(suite.stack);
    const page = await visit(`/v1/orders/${bare.order.order_id}/return?outcome=success&lang=de`);
    assert.equal(page.status, 302);
    assert.equal(page.headers.get('location'), `/pay/${bare.order.order_id}?lang=de`);

    const successOnly = await createOrder(suite.stack, { success_url: 'https://merchant.example/thanks' });
    const failed = await visit(`/v1/orders/${successOnly.order.order_id}/return?outcome=failed`);
    assert.equal(failed.status, 302);
    assert.equal(failed.headers.get('location'), `/pay/${successOnly.order.order_id}`);
  });

  test('an order that failed, expired or was canceled goes to cancel_url even when the query says success', async () => {
    const urls = { success_url: 'https://merchant.example/thanks', cancel_url: 'https://merchant.example/cart' };
    const failed = await createOrder(suite.stack, urls);
    await simulate(suite.stack, codeOf(failed), { outcome: 'fail' });
    const canceled = await createOrder(suite.stack, urls);
    const cancel = await fetch(`${suite.stack.url}/v1/orders/${canceled.order.order_id}/cancel`, { method: 'POST', headers: { token: suite.stack.deps.config.MERCHANT_API_KEY } });
    assert.equal(cancel.status, 200);
    for (const created of [failed, canceled]) {
      const id = created.order.order_id;
      await eventually(async () => ((await findOrder(suite.stack.deps.store.db, id))?.status !== 'NEW' ? true : undefined), 5000, `order ${id} closed`);
      for (const query of ['?outcome=success', '', '?outcome=SUCCESS']) {
        const answer = await visit(`/v1/orders/${id}/return${query}`);
        assert.equal(answer.status, 302);
        assert.equal(answer.headers.get('location'), 'https://merchant.example/cart', `${id}${query}`);
      }
    }
  });

  test('unknown and malformed ids are 404 in the API\'s error shape', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-an-id', '..%2F..%2Fetc']) {
      const answer = await visit(`/v1/orders/${id}/return`);
      assert.equal(answer.status, 404, id);
      assert.equal(((await answer.json()) as any).status, 404);
    }
  });
});
