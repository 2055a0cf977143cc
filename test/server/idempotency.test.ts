/**
 * Idempotent order creation on both backends (issue 11, Deliver 6): `Idempotency-Key` with
 * Stripe's semantics, and one open order per merchant_order_id, each holding under 20 concurrent
 * identical requests.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends } from '../support/stores.ts';
import { TEST_API_KEY, stackPerSuite } from '../support/stack.ts';
import { requestFingerprint } from '../../server/merchant/idempotency.ts';

test('the fingerprint ignores key order but not values', () => {
  assert.equal(requestFingerprint('POST', '/v1/orders', '{"a":1,"b":{"c":2,"d":3}}'), requestFingerprint('POST', '/v1/orders', '{"b":{"d":3,"c":2},"a":1}'));
  assert.notEqual(requestFingerprint('POST', '/v1/orders', '{"a":1}'), requestFingerprint('POST', '/v1/orders', '{"a":2}'));
});

for (const backend of await backends()) {
  describe(`idempotent order creation on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);

    const create = (body: Record<string, unknown>, key?: string) =>
      fetch(`${suite.stack.url}/v1/orders`, {
        method: 'POST',
        headers: { token: TEST_API_KEY, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify({ price_amount: '10.50', price_currency: 'USD', title: 'Test', ...body }),
      });
    const ordersFor = async (merchantOrderId: string) => suite.store.db.selectFrom('orders').select(['id', 'status']).where('merchant_order_id', '=', merchantOrderId).execute();

    test('the same key and body answer the first answer again; another body is a 409', async () => {
      const key = randomUUID();
      const first = await create({ merchant_order_id: 'idem-1' }, key);
      assert.equal(first.status, 200, 'MugglePay answers HTTP 200 with "status": 201 in the body');
      const firstBody = await first.text();
      const again = await create({ merchant_order_id: 'idem-1' }, key);
      assert.equal(again.status, 200, 'the first status, replayed');
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.equal(await again.text(), firstBody);
      assert.equal((await ordersFor('idem-1')).length, 1);

      const other = await create({ merchant_order_id: 'idem-1', price_amount: '11.00' }, key);
      assert.equal(other.status, 409);
      assert.deepEqual(Object.keys((await other.json()) as object).sort(), ['error', 'error_code', 'status']);
      const reused = (await (await create({ merchant_order_id: 'idem-2' }, key)).json()) as any;
      assert.equal(reused.error_code, 'IDEMPOTENCY_KEY_REUSED');
      assert.equal(reused.status, 409);
      assert.match(reused.error, /new key/);
      assert.equal((await create({}, 'not a valid key with spaces')).status, 400);

      // After 24 hours the key is free again.
      await suite.store.db.updateTable('idempotency_keys').set({ created_at: Date.now() - 25 * 3600_000 }).where('key', '=', key).execute();
      assert.equal((await create({ merchant_order_id: 'idem-3' }, key)).status, 200);
    });

    test('a validation error is kept for its key too; it is an answer, not a failure', async () => {
      const key = randomUUID();
      const first = await create({ price_amount: '-1' }, key);
      assert.equal(first.status, 400);
      const again = await create({ price_amount: '-1' }, key);
      assert.equal(again.status, 400);
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
    });

    test('20 concurrent identical requests with one key make exactly one order', async () => {
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 20 }, () => create({ merchant_order_id: 'idem-burst' }, key)));
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as any[];
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [200], JSON.stringify(bodies.find((b) => b.status !== 201)));
      assert.equal(new Set(bodies.map((b) => b.order.order_id)).size, 1);
      assert.equal((await ordersFor('idem-burst')).length, 1);
    });

    test('20 concurrent identical requests without a key make exactly one order per merchant_order_id', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => create({ merchant_order_id: 'open-burst' })));
      const bodies = (await Promise.all(answers.map((a) => a.json()))) as any[];
      // MugglePay's answer is HTTP 200 for a new order and for the same order again: the ids tell.
      assert.ok(answers.every((a) => a.status === 200), JSON.stringify(bodies.find((b) => !b.order)));
      assert.equal(new Set(bodies.map((b) => b.order.order_id)).size, 1);
      assert.equal((await ordersFor('open-burst')).length, 1);
    });

    test('the same merchant_order_id at another price while an order is open is a 409 naming it', async () => {
      const first = (await (await create({ merchant_order_id: 'open-1' })).json()) as any;
      const conflict = await create({ merchant_order_id: 'open-1', price_amount: '12.00' });
      assert.equal(conflict.status, 409);
      const body = (await conflict.json()) as any;
      assert.equal(body.error_code, 'ORDER_CONFLICT');
      assert.match(body.error, new RegExp(first.order.order_id));
      // Canceled, the id is free for another price.
      const cancel = await fetch(`${suite.stack.url}/v1/orders/${first.order.order_id}/cancel`, { method: 'POST', headers: { token: TEST_API_KEY } });
      assert.equal(cancel.status, 200);
      assert.equal((await create({ merchant_order_id: 'open-1', price_amount: '12.00' })).status, 200);
      // A lapsed link frees it too, though the order waits for its last check before EXPIRED.
      await suite.store.db.updateTable('orders').set({ expires_at: Date.now() - 1000 }).where('merchant_order_id', '=', 'open-1').execute();
      assert.equal((await create({ merchant_order_id: 'open-1', price_amount: '13.00' })).status, 200);
    });
  });
}
