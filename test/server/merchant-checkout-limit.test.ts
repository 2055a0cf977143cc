/**
 * The public checkout is open to anyone: one caller cannot start more than CHECKOUT_PER_MINUTE
 * checkouts a minute, and checkouts never take the MixPay calls that callbacks need (the
 * budget's reserve). A checkout refused for budget leaves no order behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, TEST_API_KEY, type Stack } from '../support/stack.ts';
import { BudgetedMixPay, CallBudget } from '../../server/mixpay/call-budget.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';

const checkout = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"product":"tee"}' });

for (const backend of await backends()) {
  describe(`public checkout limits on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;

    before(async () => {
      store = await backend.create();
      await migrateToLatest(store.db);
      stack = await startStack(store, { CHECKOUT_PER_MINUTE: '3', TRUST_PROXY: '1' });
    });
    after(async () => {
      await stack.close();
      await store.dispose();
    });

    const countOrders = async () => Number((await store.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    test('one caller gets CHECKOUT_PER_MINUTE checkouts a minute, then 429 with Retry-After; others and the merchant API are not affected', async () => {
      const caller = { 'x-forwarded-for': '203.0.113.7' };
      for (let i = 0; i < 3; i++) assert.equal((await checkout(stack.url, caller)).status, 201);
      const stored = await countOrders();
      const refused = await checkout(stack.url, caller);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      assert.deepEqual(Object.keys((await refused.json()) as object).sort(), ['error', 'error_code', 'status']);
      assert.equal(await countOrders(), stored, 'a refused checkout stores no order');
      // A client-chosen first entry does not make a new caller: the proxy's own (last) entry counts.
      assert.equal((await checkout(stack.url, { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).status, 429);
      assert.equal((await checkout(stack.url, { 'x-forwarded-for': '203.0.113.8' })).status, 201);
      const merchant = await fetch(`${stack.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', token: TEST_API_KEY }, body: '{"price_amount":"1"}' });
      assert.equal(merchant.status, 200);
    });

    test('a body over 64 KiB is refused while it streams in, not buffered to its end', async () => {
      for (const [path, headers] of [['/v1/checkout', {}], ['/v1/orders', { token: TEST_API_KEY }]] as const) {
        const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const request = http.request(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.200', ...headers } }, (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => {
              request.destroy();
              resolve({ status: response.statusCode!, body });
            });
          });
          request.on('error', reject);
          // 80 KB of a body that never ends: only a limit applied while reading can answer.
          request.write('{"product":"tee","pad":"');
          for (let i = 0; i < 8; i++) request.write('x'.repeat(10_000));
          setTimeout(() => {
            request.destroy();
            reject(new Error(`${path}: no answer while the body was still arriving`));
          }, 3000).unref();
        });
        assert.equal(answer.status, 413, path);
        assert.equal(JSON.parse(answer.body).error_code, 'BODY_TOO_LARGE');
      }
    });

    test('checkouts leave the budget reserve to callbacks; one refused for budget leaves no order', async () => {
      let now = 1_800_000_000_000;
      // Frozen clock: no call leaves the window. A window of 9 calls; the reserve is 3.
      const budget = new CallBudget(store.db, { perMinute: 9, now: () => now, name: `checkout-test-${backend.name}` });
      const client = new MixPayClient({ baseUrl: stack.deps.config.MIXPAY_API_BASE, timeoutMs: 3000 });
      const original = stack.deps.mixpay;
      stack.deps.mixpay = new BudgetedMixPay(client, budget, { maxWaitMs: 0 });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 8; i++) statuses.push((await checkout(stack.url, { 'x-forwarded-for': `192.0.2.${i}` })).status);
        // 9 calls in the window, each checkout needs itself plus the reserve of 3 left over.
        assert.deepEqual(statuses, [201, 201, 201, 201, 201, 201, 429, 429]);
        assert.equal((await budget.state()).available, 3);
        const orders = await countOrders();
        assert.equal((await checkout(stack.url, { 'x-forwarded-for': '192.0.2.99' })).status, 429);
        assert.equal(await countOrders(), orders, 'nothing reached MixPay, so no order is kept');
        // A callback's check (no reserve) still finds its calls.
        const order = await store.db.selectFrom('orders').select(['id']).where('status', '=', 'NEW').where('mixpay_code', 'is not', null).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
        const answer = await fetch(`${stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: order.id }) });
        assert.deepEqual(await answer.json(), { code: 'SUCCESS' });
        assert.equal((await budget.state()).available, 2);
      } finally {
        stack.deps.mixpay = original;
        now += 60_000;
      }
    });
  });
}
