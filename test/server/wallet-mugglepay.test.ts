/** The MugglePay adapter against the sandbox's MugglePay over real HTTP. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { eventually } from '../support/wait.ts';
import { MugglePayClient } from '../../server/wallets/mugglepay.ts';
import { WalletApiError, WebhookRejectedError } from '../../server/wallets/types.ts';
import { createMugglePaySandbox, type MugglePaySandbox } from '../../server/sandbox/mugglepay/index.ts';

describe('MugglePay adapter', () => {
  let sandbox: MugglePaySandbox;
  let server: Listening;
  let receiver: Listening;
  let client: MugglePayClient;
  const received: string[] = [];

  before(async () => {
    sandbox = createMugglePaySandbox({ apiKeys: ['api-key'], callbackRetryMs: 50 });
    server = await listen(new Hono().route('/sandbox/mugglepay', sandbox.app).fetch);
    receiver = await listen(
      new Hono().post('/hook', async (c) => {
        received.push(await c.req.text());
        return c.json({ status: 200 });
      }).fetch,
    );
    client = new MugglePayClient({ baseUrl: `${server.url}/sandbox/mugglepay/v1`, apiKey: 'api-key', callbackSecret: 'callback-secret-0123456789' });
  });
  after(async () => {
    sandbox.stop();
    await server.close();
    await receiver.close();
  });

  const create = (traceId = randomUUID()) =>
    client.createOrder({ traceId, amount: '5.05', currency: 'USDT', title: 'MixPay payment', returnUrl: 'https://broker.example/return', webhookUrl: `${receiver.url}/hook`, expiresAt: Date.now() + 900_000 });

  test('creates an order whose invoice page is the checkout link; no deep or universal link', async () => {
    const order = await create();
    assert.match(order.checkoutUrl, /\/sandbox\/mugglepay\/invoice\//);
    assert.equal(order.deepLink, '');
    assert.equal(order.universalUrl, '');
    assert.equal(sandbox.orders.get(order.upstreamId)!.price_amount, '5.05');
    assert.deepEqual(await client.queryOrder(order.upstreamId), { state: 'pending' });
    assert.doesNotMatch(await (await fetch(order.checkoutUrl)).text(), /<script/i);
  });

  test('a wrong API key is a MugglePay error', async () => {
    const wrong = new MugglePayClient({ baseUrl: `${server.url}/sandbox/mugglepay/v1`, apiKey: 'nope', callbackSecret: 'callback-secret-0123456789' });
    await assert.rejects(wrong.queryOrder(randomUUID()), (e: unknown) => e instanceof WalletApiError && e.code === 'AUTHENTICATION_FAILED');
  });

  test('the paid callback carries the order token; a forged token is refused', async () => {
    const traceId = randomUUID();
    const order = await create(traceId);
    const paid = await fetch(`${order.checkoutUrl}/pay`, { method: 'POST', redirect: 'manual' });
    assert.equal(paid.status, 303);
    await eventually(() => received.length > 0, 10_000, 'the paid callback');
    const body = received.shift()!;
    const event = await client.verifyWebhook(new Headers(), body);
    assert.deepEqual(event, { traceId, upstreamId: order.upstreamId, state: 'paid' });
    const forged = JSON.parse(body);
    forged.token = forged.token.replace(/.$/, (ch: string) => (ch === '0' ? '1' : '0'));
    await assert.rejects(client.verifyWebhook(new Headers(), JSON.stringify(forged)), WebhookRejectedError);
    await assert.rejects(client.verifyWebhook(new Headers(), JSON.stringify({ ...JSON.parse(body), merchant_order_id: randomUUID() })), WebhookRejectedError);
    await assert.rejects(client.verifyWebhook(new Headers(), 'not json'), WebhookRejectedError);
    for (const notObject of ['null', '[]', '1', '"x"', 'true']) await assert.rejects(client.verifyWebhook(new Headers(), notObject), WebhookRejectedError, notObject);
  });

  test('refunds a paid order; a repeated refund is harmless', async () => {
    const order = await create();
    sandbox.pay(order.upstreamId);
    const refund = { traceId: 'x', upstreamId: order.upstreamId, amount: '5.05', refundRequestId: 'r', reason: 'test' };
    await client.refund(refund);
    await client.refund(refund);
    assert.equal((await client.queryOrder(order.upstreamId)).state, 'refunded');
  });

  test('closing an unpaid order cancels it; closing one the customer paid first reports it paid', async () => {
    const open = await create();
    assert.equal(await client.close(open.upstreamId), 'closed');
    assert.equal(sandbox.orders.get(open.upstreamId)!.status, 'CANCELED');
    assert.equal(await client.close(open.upstreamId), 'closed');
    const paid = await create();
    sandbox.pay(paid.upstreamId);
    assert.equal(await client.close(paid.upstreamId), 'paid');
    assert.equal(sandbox.orders.get(paid.upstreamId)!.status, 'PAID');
  });
});
