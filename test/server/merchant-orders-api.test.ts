/**
 * The rest of the MugglePay-compatible API over real HTTP on both backends: get (with `invoice`),
 * list with status/limit/offset, cancel (NEW only), every answer parsed with the same schemas
 * /openapi.json is generated from.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { TEST_API_KEY, stackPerSuite } from '../support/stack.ts';
import { codeOf, createOrder, jsonPost, simulate, waitForStatus } from '../support/merchant.ts';
import { createdOrderSchema, errorSchema, orderAnswerSchema, orderListSchema, orderViewSchema } from '../../server/merchant/api-schemas.ts';
import { notificationsOf } from '../../server/merchant/notifications.ts';

for (const backend of await backends()) {
  describe(`merchant order API on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);

    const get = (path: string, token = TEST_API_KEY) => fetch(`${suite.stack.url}${path}`, { headers: { token } });

    async function expectError(response: Response, status: number, code: string) {
      const body = errorSchema.parse(await response.json());
      assert.equal(response.status, status);
      assert.equal(body.status, status);
      assert.equal(body.error_code, code);
      return body;
    }

    test('create and get answer in the documented shapes, with MugglePay\'s invoice', async () => {
      const created = createdOrderSchema.parse(await createOrder(suite.stack, { merchant_order_id: 'get-1', callback_url: 'https://merchant.example/cb' }));
      const response = await get(`/v1/orders/${created.order.order_id}`);
      assert.equal(response.status, 200);
      const body = orderAnswerSchema.parse(await response.json());
      assert.equal(body.order.merchant_order_id, 'get-1');
      assert.equal(body.order.late_payment, false);
      assert.equal(body.invoice.payment_url, created.payment_url);
      assert.equal(body.invoice.order_id, created.order.order_id);
      await expectError(await get('/v1/orders/00000000-0000-0000-0000-000000000000'), 404, 'ORDER_NOT_FOUND');
      await expectError(await get(`/v1/orders/${created.order.order_id}`, 'wrong-token-123'), 401, 'AUTHENTICATION_FAILED');
    });

    test('list filters by status and pages with limit and offset, newest first', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createOrder(suite.stack, { merchant_order_id: `list-${i}` })).order.order_id);
      const paid = await createOrder(suite.stack, { merchant_order_id: 'list-paid' });
      await simulate(suite.stack, codeOf(paid), { outcome: 'success' });
      await waitForStatus(suite.store, paid.order.order_id, 'PAID');

      const page1 = orderListSchema.parse(await (await get('/v1/orders?status=NEW&limit=2&offset=0')).json());
      const page2 = orderListSchema.parse(await (await get('/v1/orders?status=new&limit=2&offset=2')).json());
      assert.equal(page1.orders.length, 2);
      assert.equal(page2.orders.length, 2);
      assert.ok(page1.total! >= 5);
      assert.ok(page1.orders.every((o) => o.status === 'NEW'));
      assert.equal(new Set([...page1.orders, ...page2.orders].map((o) => o.order_id)).size, 4, 'pages do not overlap');
      assert.ok(page1.orders[0]!.created_at_t >= page1.orders[1]!.created_at_t, 'newest first');

      const onlyPaid = orderListSchema.parse(await (await get('/v1/orders?status=PAID,EXPIRED')).json());
      assert.ok(onlyPaid.orders.some((o) => o.order_id === paid.order.order_id));
      assert.ok(onlyPaid.orders.every((o) => o.status === 'PAID' || o.status === 'EXPIRED'));

      const byMerchantId = orderListSchema.parse(await (await get('/v1/orders?merchant_order_id=list-3')).json());
      assert.deepEqual(byMerchantId.orders.map((o) => o.order_id), [ids[3]]);

      const everything = orderListSchema.parse(await (await get('/v1/orders')).json());
      assert.equal(everything.limit, 20);
      assert.equal(everything.offset, 0);
      // Empty parameters (a form left blank) are absent, as on MugglePay, not "missing".
      const blank = orderListSchema.parse(await (await get('/v1/orders?status=&limit=&offset=&merchant_order_id=')).json());
      assert.deepEqual([blank.limit, blank.offset, blank.total], [20, 0, everything.total]);

      for (const bad of ['status=SHIPPED', 'limit=0', 'limit=101', 'offset=-1', 'limit=ten']) {
        const body = await expectError(await get(`/v1/orders?${bad}`), 400, 'INVALID_PARAMETERS');
        assert.match(body.error, /status|limit|offset/);
      }
      await expectError(await get('/v1/orders', 'nope-nope-nope'), 401, 'AUTHENTICATION_FAILED');
    });

    test('cancel works on NEW orders only, and tells the merchant', async () => {
      const created = await createOrder(suite.stack, { callback_url: 'https://merchant.example/cb' });
      const id = created.order.order_id;
      const response = await fetch(`${suite.stack.url}/v1/orders/${id}/cancel`, jsonPost({}));
      assert.equal(response.status, 200);
      const body = (await response.json()) as any;
      assert.equal(orderViewSchema.parse(body.order).status, 'CANCELED');
      const notifications = await notificationsOf(suite.store.db, id);
      assert.deepEqual(notifications.map((n) => [n.previous_status, n.order_status]), [['NEW', 'CANCELED']]);

      await expectError(await fetch(`${suite.stack.url}/v1/orders/${id}/cancel`, jsonPost({})), 409, 'ORDER_NOT_CANCELABLE');
      const paid = await createOrder(suite.stack);
      await simulate(suite.stack, codeOf(paid), { outcome: 'success' });
      await waitForStatus(suite.store, paid.order.order_id, 'PAID');
      const refused = await expectError(await fetch(`${suite.stack.url}/v1/orders/${paid.order.order_id}/cancel`, jsonPost({})), 409, 'ORDER_NOT_CANCELABLE');
      assert.match(refused.error, /PAID/);
      await expectError(await fetch(`${suite.stack.url}/v1/orders/00000000-0000-0000-0000-000000000000/cancel`, jsonPost({})), 404, 'ORDER_NOT_FOUND');
      await expectError(await fetch(`${suite.stack.url}/v1/orders/${id}/cancel`, jsonPost({}, { token: 'wrong-token-1' })), 401, 'AUTHENTICATION_FAILED');
    });

    test('a canceled order that still gets paid becomes PAID, flagged as a late payment', async () => {
      const created = await createOrder(suite.stack);
      const id = created.order.order_id;
      await fetch(`${suite.stack.url}/v1/orders/${id}/cancel`, jsonPost({}));
      await simulate(suite.stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(suite.store, id, 'PAID');
      const body = orderAnswerSchema.parse(await (await get(`/v1/orders/${id}`)).json());
      assert.equal(body.order.late_payment, true);
    });
  });
}
