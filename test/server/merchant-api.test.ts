/**
 * The merchant API end to end over real HTTP: our server and the MixPay sandbox in one process,
 * on both database backends. Payments are made through the sandbox's control call, and its
 * callbacks reach `/mixpay/callback` exactly as MixPay's would.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { eventually, TEST_API_KEY, TEST_PAYEE_ID, stackPerSuite } from '../support/stack.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { callbacksAcknowledged, codeOf, createOrder as createOrderVia, historyOf as historyIn, jsonPost, simulate as simulateVia } from '../support/merchant.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';

const json = (body: unknown) => jsonPost(body);

for (const backend of await backends()) {
  describe(`merchant API on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);

    const createOrder = (body: Record<string, unknown> = {}) => createOrderVia(suite.stack, body);
    const simulate = (code: string, body: Record<string, unknown>) => simulateVia(suite.stack, code, body);
    const historyOf = (id: string) => historyIn(suite.store, id);
    const callbackHandled = (code: string) => callbacksAcknowledged(suite.stack, code);

    test('rejects requests without the right token, in MugglePay error shape', async () => {
      for (const headers of [{}, { token: 'wrong-token-value' }] as Array<Record<string, string>>) {
        const response = await fetch(`${suite.stack.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"price_amount":"1"}' });
        assert.equal(response.status, 401);
        const body = (await response.json()) as any;
        assert.equal(body.status, 401);
        assert.equal(body.error_code, 'AUTHENTICATION_FAILED');
      }
    });

    test('validates the create-order fields, naming the field', async () => {
      const cases: Array<[unknown, number, string, RegExp]> = [
        [{}, 400, 'PARAMETERS_MISSING', /price_amount/],
        [{ price_amount: '-1' }, 400, 'INVALID_PARAMETERS', /price_amount/],
        [{ price_amount: '0' }, 400, 'INVALID_PARAMETERS', /price_amount/],
        [{ price_amount: '1.123456789' }, 400, 'INVALID_PARAMETERS', /price_amount/],
        [{ price_amount: 'ten' }, 400, 'INVALID_PARAMETERS', /price_amount/],
        [{ price_amount: '1', price_currency: 'DOLLARS' }, 400, 'INVALID_PARAMETERS', /price_currency/],
        [{ price_amount: '1', callback_url: 'javascript:alert(1)' }, 400, 'INVALID_PARAMETERS', /callback_url/],
        [{ price_amount: '1', title: 'x'.repeat(201) }, 400, 'INVALID_PARAMETERS', /title/],
        [[1, 2], 400, 'INVALID_JSON', /object/],
      ];
      for (const [body, status, code, message] of cases) {
        const response = await fetch(`${suite.stack.url}/v1/orders`, json(body));
        const answer = (await response.json()) as any;
        assert.equal(response.status, status, JSON.stringify(body));
        assert.equal(answer.error_code, code, JSON.stringify(body));
        assert.match(answer.error, message);
      }
      const bad = await fetch(`${suite.stack.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', token: TEST_API_KEY }, body: '{"price_amount":' });
      assert.equal(bad.status, 400);
      assert.equal(((await bad.json()) as any).error_code, 'INVALID_JSON');
    });

    test('creates an order with a one-time link, in MugglePay shape', async () => {
      const created = await createOrder({ merchant_order_id: 100387, callback_url: 'https://merchant.example/cb', token: 'cb-secret' });
      assert.equal(created.status, 201);
      assert.equal(created.order.status, 'NEW');
      assert.equal(created.order.price_amount, '10.5');
      assert.equal(created.order.price_currency, 'USD');
      assert.equal(created.order.merchant_order_id, '100387');
      assert.match(created.order.order_id, /^[0-9a-f-]{36}$/);
      assert.equal(created.payment_url, created.links.checkout_url);
      assert.match(created.links.checkout_url, new RegExp(`^${suite.stack.url}/sandbox/mixpay/code/`));
      assert.equal(created.status_url, `${suite.stack.url}/v1/orders/${created.order.order_id}/status`);
      assert.equal('token' in created.order, false, 'the callback token is never echoed');
      const stored = await findOrder(suite.store.db, created.order.order_id);
      assert.equal(stored?.quote_asset_id, 'usd');
      assert.equal(stored?.payee_id, TEST_PAYEE_ID);
      // The link MixPay holds carries our price, payee and callback.
      const result = await new MixPayClient({ baseUrl: suite.stack.deps.config.MIXPAY_API_BASE }).getPaymentResult({ orderId: created.order.order_id, payeeId: TEST_PAYEE_ID });
      assert.equal(result.status, 'unpaid');
      assert.equal(result.quoteAmount.replace(/\.?0+$/, ''), '10.5');
    });

    test("MugglePay's documented bodies work verbatim, and null or empty optional fields count as absent", async () => {
      // Seed 004's curl example: numbers as numbers, merchant_order_id a number, CNY.
      const curl = await fetch(`${suite.stack.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', token: TEST_API_KEY }, body: '{\n  "merchant_order_id": 100388,\n  "price_amount": 10,\n  "price_currency": "CNY"\n}' });
      assert.equal(curl.status, 200, await curl.clone().text());
      const fromCurl = (await curl.json()) as any;
      assert.equal(fromCurl.status, 201);
      assert.equal(fromCurl.order.merchant_order_id, '100388');
      assert.equal(fromCurl.order.price_amount, '10');
      assert.equal(fromCurl.order.price_currency, 'CNY');
      assert.equal(fromCurl.order.status, 'NEW');
      assert.match(fromCurl.payment_url, /\/code\//);
      // Seed 004's NodeJS example, with pay_currency ALIPAY, and its POST body with "price_amount": 1.00.
      const node = await fetch(`${suite.stack.url}/v1/orders`, json({ merchant_order_id: '503a854998-6230-4338-adb7', title: 'Monthly Program x 1', description: 'Gaming for your family', price_amount: 1, price_currency: 'CNY', pay_currency: 'ALIPAY', callback_url: 'https://ecards.com/api/success', cancel_url: 'https://ecards.com/ecardstatus?status=cancel', success_url: 'https://ecards.com/ecardstatus?status=success' }));
      assert.equal(node.status, 200, await node.clone().text());
      const body = await fetch(`${suite.stack.url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', token: TEST_API_KEY }, body: '{"merchant_order_id": "503a854998-6230-4338-adb7-b", "price_amount": 1.00, "price_currency": "CNY", "title": "Monthly Program x 1", "token": "XI231SD02-SDFWE123D", "mobile": 1, "fast": 0}' });
      assert.equal(body.status, 200, await body.clone().text());
      assert.equal(((await body.json()) as any).order.price_amount, '1');
      // A client that sends every field it has no value for.
      const sparse = await fetch(`${suite.stack.url}/v1/orders`, json({ merchant_order_id: null, price_amount: '2.5', price_currency: null, title: null, description: '', callback_url: null, success_url: '', cancel_url: null, token: null, pay_currency: null }));
      assert.equal(sparse.status, 200, await sparse.clone().text());
      const created = ((await sparse.json()) as any).order;
      assert.equal(created.price_currency, 'USD');
      assert.equal(created.callback_url, null);
      assert.equal(created.merchant_order_id, null);
      // Still required when null or empty.
      for (const price_amount of [null, '']) {
        const missing = await fetch(`${suite.stack.url}/v1/orders`, json({ price_amount }));
        assert.equal(missing.status, 400);
        assert.equal(((await missing.json()) as any).error_code, 'PARAMETERS_MISSING');
      }
    });

    test('a retried create with the same merchant_order_id and price returns the same order', async () => {
      const first = await createOrder({ merchant_order_id: 'retry-1' });
      const again = await fetch(`${suite.stack.url}/v1/orders`, json({ price_amount: '10.5', price_currency: 'usd', merchant_order_id: 'retry-1' }));
      assert.equal(again.status, 200);
      assert.equal(((await again.json()) as any).order.order_id, first.order.order_id);
      // Another price while the first is open is a conflict naming it (issue 11), not a second order.
      const other = await fetch(`${suite.stack.url}/v1/orders`, json({ price_amount: '11', merchant_order_id: 'retry-1' }));
      assert.equal(other.status, 409);
      assert.match(((await other.json()) as any).error, new RegExp(first.order.order_id));
    });

    test('public checkout takes the price from the catalog, never from the browser', async () => {
      const response = await fetch(`${suite.stack.url}/v1/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
        body: JSON.stringify({ product: 'tee', price_amount: '0.01' }),
      });
      assert.equal(response.status, 201);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      const body = (await response.json()) as any;
      assert.equal(body.order.price_amount, '19.99');
      assert.equal(body.order.title, 'MixPay T-shirt');
      assert.equal('callback_url' in body.order, false);
      const unknown = await fetch(`${suite.stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"product":"nope"}' });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as any).error_code, 'PRODUCT_NOT_FOUND');
      const missing = await fetch(`${suite.stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(missing.status, 400);
    });

    test('status answers with an ETag and 304 when unchanged', async () => {
      const created = await createOrder();
      const url = `${suite.stack.url}/v1/orders/${created.order.order_id}/status`;
      const first = await fetch(url);
      assert.equal(first.status, 200);
      const etag = first.headers.get('etag');
      assert.ok(etag);
      const body = (await first.json()) as any;
      assert.equal(body.status, 'NEW');
      assert.deepEqual(body.links, created.links);
      const second = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(second.status, 304);
      const missing = await fetch(`${suite.stack.url}/v1/orders/00000000-0000-0000-0000-000000000000/status`);
      assert.equal(missing.status, 404);
      const junk = await fetch(`${suite.stack.url}/v1/orders/not-an-id/status`);
      assert.equal(junk.status, 404);
    });

    test('a full payment makes the order PAID through the verified callback', async () => {
      const created = await createOrder();
      const id = created.order.order_id;
      await simulate(codeOf(created), { outcome: 'success' });
      const paid = await eventually(async () => {
        const order = await findOrder(suite.store.db, id);
        return order?.status === 'PAID' && order;
      }, 5000, 'order PAID');
      assert.ok(paid.pay_amount);
      const response = await fetch(`${suite.stack.url}/v1/orders/${id}`, { headers: { token: TEST_API_KEY } });
      const body = (await response.json()) as any;
      assert.equal(body.order.status, 'PAID');
      const history = await historyOf(id);
      assert.ok(history.some((e) => e.to_status === 'PAID' && e.from_status === 'NEW'));
    });

    const tamperings: Array<[string, Record<string, unknown>]> = [
      ['a lower quote amount', { quoteAmount: '0.01' }],
      ['a higher quote amount', { quoteAmount: '1000' }],
      ['another quote asset', { quoteAssetId: 'eur' }],
      ['another payee', { payeeId: '11111111-2222-3333-4444-555555555555' }],
    ];
    for (const [name, override] of tamperings) {
      test(`a success with ${name} never marks the order paid`, async () => {
        const created = await createOrder();
        const id = created.order.order_id;
        await simulate(codeOf(created), { outcome: 'success', ...override });
        await callbackHandled(codeOf(created));
        const order = await findOrder(suite.store.db, id);
        assert.equal(order?.status, 'NEW');
        const history = await historyOf(id);
        assert.ok(history.some((e) => e.reason.startsWith('mismatch:')), 'the mismatch is recorded for the operator');
      });
    }

    test('a failed payment is FAILED with its reason; paid less is UNRESOLVED with the amount due', async () => {
      const failed = await createOrder();
      await simulate(codeOf(failed), { outcome: 'fail' });
      const f = await eventually(async () => {
        const o = await findOrder(suite.store.db, failed.order.order_id);
        return o?.status === 'FAILED' && o;
      }, 5000, 'order FAILED');
      assert.ok(f.failure_reason);

      const less = await createOrder();
      await simulate(codeOf(less), { outcome: 'paid_less', paymentAmount: '4' });
      const u = await eventually(async () => {
        const o = await findOrder(suite.store.db, less.order.order_id);
        return o?.status === 'UNRESOLVED' && o;
      }, 5000, 'order UNRESOLVED');
      assert.ok(u.amount_due, 'the amount still due is stored');
      await simulate(codeOf(less), { outcome: 'success' });
      await eventually(async () => (await findOrder(suite.store.db, less.order.order_id))?.status === 'PAID', 5000, 'rest paid');
    });

    test('forged and unknown callbacks are answered SUCCESS and change nothing', async () => {
      const created = await createOrder();
      const id = created.order.order_id;
      const forged: unknown[] = [
        { orderId: '00000000-0000-0000-0000-000000000000', traceId: 'x', payeeId: TEST_PAYEE_ID },
        { orderId: id, traceId: 'forged', payeeId: TEST_PAYEE_ID },
        { traceId: "' or 1=1 --" },
        'not json',
        {},
      ];
      for (const body of forged) {
        const response = await fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { code: 'SUCCESS' });
      }
      assert.equal((await findOrder(suite.store.db, id))?.status, 'NEW');
    });

    test('a form-encoded callback is read like JSON; an oversized one is refused unread; arrays name nothing', async () => {
      const created = await createOrder();
      const id = created.order.order_id;
      await simulate(codeOf(created), { outcome: 'pending' });
      // Out of the way of the sandbox's own callbacks: the result is the same either way.
      const form = await fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ orderId: id, payeeId: TEST_PAYEE_ID }).toString() });
      assert.equal(form.status, 200);
      assert.deepEqual(await form.json(), { code: 'SUCCESS' });
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PENDING');
      const huge = await fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: id, pad: 'x'.repeat(40_000) }) });
      assert.equal(huge.status, 413);
      for (const body of [[{ orderId: id }], [id], null, 42, '"' + id + '"']) {
        const response = await fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
        assert.deepEqual(await response.json(), { code: 'SUCCESS' }, JSON.stringify(body));
      }
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PENDING');
    });

    test('while MixPay cannot be reached the callback asks to be retried, changing nothing', async () => {
      const created = await createOrder();
      const id = created.order.order_id;
      const real = suite.stack.deps.mixpay;
      suite.stack.deps.mixpay = new MixPayClient({ baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 500 });
      try {
        const response = await fetch(`${suite.stack.url}/mixpay/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId: id }) });
        assert.notEqual(response.status, 200);
        assert.notDeepEqual(await response.json(), { code: 'SUCCESS' });
      } finally {
        suite.stack.deps.mixpay = real;
      }
      assert.equal((await findOrder(suite.store.db, id))?.status, 'NEW');
    });

    test('an order whose link cannot be minted is kept as FAILED and the merchant gets 502', async () => {
      const real = suite.stack.deps.mixpay;
      suite.stack.deps.mixpay = new MixPayClient({ baseUrl: 'http://127.0.0.1:9/v1', timeoutMs: 500 });
      try {
        const response = await fetch(`${suite.stack.url}/v1/orders`, json({ price_amount: '3', merchant_order_id: 'down-1' }));
        assert.equal(response.status, 502);
        assert.equal(((await response.json()) as any).error_code, 'UPSTREAM_UNAVAILABLE');
      } finally {
        suite.stack.deps.mixpay = real;
      }
      const rows = await suite.store.db.selectFrom('orders').selectAll().where('merchant_order_id', '=', 'down-1').execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.status, 'FAILED');
      // The customer sees a plain reason; the technical cause is kept for the operator.
      const publicStatus = (await (await fetch(`${suite.stack.url}/v1/orders/${rows[0]!.id}/status`)).json()) as any;
      assert.equal(publicStatus.failure_reason, 'The payment link could not be created');
      assert.doesNotMatch(JSON.stringify(publicStatus), /127\.0\.0\.1|fetch failed|ECONNREFUSED/);
      const history = await historyOf(rows[0]!.id);
      assert.ok(history.some((e) => e.reason === 'link_not_created' && /127\.0\.0\.1|fetch failed|ECONNREFUSED/.test(e.detail ?? '')));
    });

    test('the event stream sends the current status, then the change, then ends', async () => {
      const created = await createOrder();
      const response = await fetch(`${suite.stack.url}/v1/orders/${created.order.order_id}/events`);
      assert.equal(response.headers.get('content-type')?.split(';')[0], 'text/event-stream');
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += value;
        }
      };
      await readUntil(/"status":"NEW"/);
      assert.match(text, /event: status/);
      await simulate(codeOf(created), { outcome: 'success' });
      await readUntil(/"status":"PAID"/);
      assert.match(text, /"status":"PAID"/);
      const { done } = await reader.read();
      assert.equal(done, true, 'the stream closes after a final status');
    });

    test('one address holds at most SSE_PER_ADDRESS streams; a closed stream frees its slot', async () => {
      const created = await createOrder();
      const url = `${suite.stack.url}/v1/orders/${created.order.order_id}/events`;
      const limit = suite.stack.deps.config.SSE_PER_ADDRESS;
      assert.equal(limit, 20, 'the default');
      const held = await Promise.all(Array.from({ length: limit }, async () => {
        const controller = new AbortController();
        const response = await fetch(url, { signal: controller.signal });
        assert.equal(response.status, 200);
        return controller;
      }));
      const refused = await fetch(url);
      assert.equal(refused.status, 429);
      assert.equal(((await refused.json()) as any).error_code, 'TOO_MANY_STREAMS');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      held.pop()!.abort();
      const again = await eventually(async () => {
        const response = await fetch(url);
        if (response.status === 200) return response;
        await response.body?.cancel();
        return undefined;
      }, 3000, 'a freed stream slot');
      await again.body?.cancel();
      for (const controller of held) controller.abort();
    });

    test('return pages redirect only to the order\'s stored URLs', async () => {
      const created = await createOrder({ success_url: 'https://merchant.example/thanks', cancel_url: 'https://merchant.example/cart' });
      const base = `${suite.stack.url}/v1/orders/${created.order.order_id}/return`;
      const ok = await fetch(`${base}?outcome=success&to=https://evil.example`, { redirect: 'manual' });
      assert.equal(ok.status, 302);
      assert.equal(ok.headers.get('location'), 'https://merchant.example/thanks');
      const failed = await fetch(`${base}?outcome=failed`, { redirect: 'manual' });
      assert.equal(failed.headers.get('location'), 'https://merchant.example/cart');
    });

    test('checkout and status name the merchant and the title, so the dialog can show them', async () => {
      const config = suite.stack.deps.config;
      const before = config.MERCHANT_NAME;
      config.MERCHANT_NAME = 'Test shop';
      try {
        const checkout = (await (await fetch(`${suite.stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"product":"stickers"}' })).json()) as any;
        assert.equal(checkout.order.payee_name, 'Test shop');
        const status = (await (await fetch(checkout.status_url)).json()) as any;
        assert.equal(status.payee_name, 'Test shop');
        assert.equal(status.title, 'Sticker pack');
      } finally {
        config.MERCHANT_NAME = before;
      }
      const unnamed = await createOrder({ title: 'No name' });
      assert.equal(unnamed.order.payee_name, null, 'without MERCHANT_NAME the element falls back to its own attribute or the host');
    });

    test('unknown paths answer in their protocol\'s format, doubled slashes included', async () => {
      const merchant = await fetch(`${suite.stack.url}//v1/nope`);
      assert.equal(merchant.status, 404);
      assert.equal(((await merchant.json()) as any).error_code, 'NOT_FOUND');
      for (const path of ['//mixpay/create_order', '/mixpay/nope', '//mixpay']) {
        const response = await fetch(`${suite.stack.url}${path}`, { method: 'POST' });
        assert.equal(response.status, 404, path);
        const body = (await response.json()) as any;
        assert.deepEqual([body.code, body.success, body.data], [11000, false, []], path);
      }
    });

    test('healthz answers 200 when ready', async () => {
      const response = await fetch(`${suite.stack.url}/healthz`);
      assert.equal(response.status, 200);
    });
  });
}
