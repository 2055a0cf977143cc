/**
 * The admin API (its own key) and /openapi.json, over real HTTP on both backends: inspect an
 * order with history and every notification attempt, resend an event by hand; the document is
 * generated from the validating schemas and every path in it exists.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, TEST_API_KEY, type Stack } from '../support/stack.ts';
import { listen, type Listening } from '../support/http.ts';
import { codeOf, createOrder, simulate, waitForStatus } from '../support/merchant.ts';
import { createOrderSchema } from '../../server/merchant/api-schemas.ts';
import { NotificationDelivery } from '../../server/merchant/workers/notification-delivery.ts';

const ADMIN_KEY = 'admin-key-0123456789abcdef';
const SECRET = 'webhook-secret-0123456789';

for (const backend of await backends()) {
  describe(`admin API and OpenAPI on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;
    let merchant: Listening;
    let merchantAnswers = 500;

    before(async () => {
      store = await backend.create();
      stack = await startStack(store, { ADMIN_API_KEY: ADMIN_KEY, WEBHOOK_SECRET: SECRET });
      merchant = await listen(() => new Response(merchantAnswers === 200 ? 'ok' : 'nope', { status: merchantAnswers }));
    });
    after(async () => {
      await merchant.close();
      await stack.close();
      await store.dispose();
    });

    const admin = (path: string, init: RequestInit = {}, key = ADMIN_KEY) =>
      fetch(`${stack.url}/admin/v1${path}`, { ...init, headers: { 'x-admin-key': key, ...(init.headers as Record<string, string>) } });

    test('needs its own key; the merchant key does not open it', async () => {
      for (const key of ['', TEST_API_KEY, 'wrong-admin-key-000']) {
        const response = await admin('/orders', {}, key);
        assert.equal(response.status, 401, key);
        assert.equal(((await response.json()) as any).error_code, 'AUTHENTICATION_FAILED');
      }
      const off = await startStack(store);
      try {
        const response = await fetch(`${off.url}/admin/v1/orders`, { headers: { 'x-admin-key': ADMIN_KEY } });
        assert.equal(response.status, 404);
        assert.match(((await response.json()) as any).error, /ADMIN_API_KEY/);
      } finally {
        await off.close();
      }
    });

    test('shows an order with its history and notification attempts, and resends by hand', async () => {
      const created = await createOrder(stack, { callback_url: `${merchant.url}/hook`, merchant_order_id: 'admin-1' });
      const id = created.order.order_id;
      await simulate(stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(store, id, 'PAID');
      const delivery = new NotificationDelivery({ db: store.db, secrets: [SECRET], now: () => Date.now(), log: () => {} });
      await delivery.runOnce();

      const detail = (await (await admin(`/orders/${id}`)).json()) as any;
      assert.equal(detail.order.status, 'PAID');
      assert.equal(detail.order.mixpay_order_id, id);
      assert.ok(detail.order.reconcile);
      assert.ok(detail.history.some((e: any) => e.from === 'NEW' && e.to === 'PAID' && e.reason === 'callback:paid'));
      // The sandbox settles 3 ms (scaled) after the payment: its `order.settled` may or may not
      // be queued yet; this test follows the status change's notification.
      const changes = detail.notifications.filter((n: any) => n.body.meta.event === 'order.status_changed');
      assert.equal(changes.length, 1);
      assert.ok(detail.notifications.every((n: any) => n === changes[0] || n.body.meta.event === 'order.settled'));
      const notification = changes[0];
      assert.equal(notification.status, 'PAID');
      assert.equal(notification.state, 'pending');
      assert.deepEqual(notification.attempts.map((a: any) => [a.attempt, a.http_status, a.outcome, a.trigger]), [[1, 500, 'rejected', 'schedule']]);
      assert.equal(notification.body.order_id, id);

      const listed = (await (await admin('/orders?merchant_order_id=admin-1')).json()) as any;
      assert.deepEqual(listed.orders.map((o: any) => o.order_id), [id]);
      const pending = (await (await admin('/notifications?state=pending')).json()) as any;
      assert.ok(pending.notifications.some((n: any) => n.event_id === notification.event_id));

      merchantAnswers = 200;
      const resend = await admin(`/notifications/${notification.event_id}/resend`, { method: 'POST' });
      assert.equal(resend.status, 200);
      await delivery.runOnce();
      const after = (await (await admin(`/notifications/${notification.event_id}`)).json()) as any;
      assert.equal(after.notification.state, 'delivered');
      assert.deepEqual(after.notification.attempts.map((a: any) => a.outcome), ['rejected', 'delivered']);
      assert.equal(after.notification.attempts[1].trigger, 'manual');

      const missing = await admin('/notifications/00000000-0000-0000-0000-000000000000/resend', { method: 'POST' });
      assert.equal(missing.status, 404);
      assert.equal(((await missing.json()) as any).error_code, 'NOTIFICATION_NOT_FOUND');
      assert.equal((await admin('/orders?status=BOGUS')).status, 400);
    });

    test('/openapi.json comes from the validating schemas, and every path in it exists', async () => {
      const response = await fetch(`${stack.url}/openapi.json`);
      assert.equal(response.status, 200);
      const doc = (await response.json()) as any;
      assert.equal(doc.openapi, '3.1.0');
      const { $schema: _drop, ...expected } = z.toJSONSchema(createOrderSchema, { io: 'input', unrepresentable: 'any' }) as any;
      assert.deepEqual(doc.components.schemas.CreateOrderRequest, expected);
      assert.deepEqual(doc.components.schemas.CreateOrderRequest.required, ['price_amount']);
      // Every $ref resolves.
      const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
      for (const ref of new Set(refs)) assert.ok(doc.components.schemas[ref.split('/').pop()!], ref);
      // Every documented route is served (it may refuse us, but it is there).
      for (const [path, methods] of Object.entries<any>(doc.paths)) {
        for (const method of Object.keys(methods)) {
          // Broker mode is off in this stack; openapi-lint.test.ts checks those routes with it on.
          if (methods[method].tags?.includes('broker')) continue;
          const url = `${stack.url}${path.replace('{order_id}', '00000000-0000-0000-0000-000000000000').replace('{event_id}', '00000000-0000-0000-0000-000000000000')}`;
          const answer = await fetch(url, { method: method.toUpperCase(), headers: { 'content-type': 'application/json' }, body: method === 'post' ? '{}' : undefined, redirect: 'manual' });
          const text = await answer.text();
          assert.doesNotMatch(text, /no route/, `${method.toUpperCase()} ${path}`);
        }
      }
    });
  });
}
