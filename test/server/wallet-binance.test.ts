/** The Binance Pay adapter against the sandbox's Binance Pay over real HTTP. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { eventually } from '../support/wait.ts';
import { BinancePayClient, binanceNonce, merchantTradeNo, signBinanceRequest } from '../../server/wallets/binance.ts';
import { WalletApiError, WebhookRejectedError } from '../../server/wallets/types.ts';
import { createBinanceSandbox, type BinanceSandbox } from '../../server/sandbox/binance/index.ts';

describe('Binance Pay adapter', () => {
  let sandbox: BinanceSandbox;
  let server: Listening;
  let receiver: Listening;
  let client: BinancePayClient;
  const received: Array<{ headers: Headers; body: string }> = [];

  before(async () => {
    sandbox = createBinanceSandbox({ merchants: [{ apiKey: 'key-1', secretKey: 'secret-1' }], webhookRetryMs: 50 });
    server = await listen(new Hono().route('/sandbox/binance', sandbox.app).fetch);
    receiver = await listen(
      new Hono().post('/hook', async (c) => {
        received.push({ headers: c.req.raw.headers, body: await c.req.text() });
        return c.json({ returnCode: 'SUCCESS', returnMessage: null });
      }).fetch,
    );
    client = new BinancePayClient({ baseUrl: `${server.url}/sandbox/binance`, apiKey: 'key-1', secretKey: 'secret-1' });
  });
  after(async () => {
    sandbox.stop();
    await server.close();
    await receiver.close();
  });

  const create = (traceId = randomUUID(), amount = '10.10000001') =>
    client.createOrder({ traceId, amount, currency: 'USDT', title: 'MixPay payment', returnUrl: 'https://broker.example/return', webhookUrl: `${receiver.url}/hook`, expiresAt: Date.now() + 900_000 });

  test('nonces are 32 letters each and never repeat, across the refills of their random pool', () => {
    const nonces = Array.from({ length: 1000 }, () => binanceNonce());
    for (const nonce of nonces) assert.match(nonce, /^[a-zA-Z]{32}$/);
    assert.equal(new Set(nonces).size, nonces.length);
  });

  test('signs as documented: uppercase hex HMAC-SHA512 over timestamp, nonce and body', () => {
    assert.equal(signBinanceRequest('k', '1', 'n', '{}'), signBinanceRequest('k', '1', 'n', '{}').toUpperCase());
    assert.notEqual(signBinanceRequest('k', '1', 'n', '{}'), signBinanceRequest('k', '1', 'n', '{} '));
  });

  test('creates an order with exact amount and answers checkout, deep and universal links', async () => {
    const traceId = randomUUID();
    const order = await create(traceId);
    assert.match(order.checkoutUrl, /\/sandbox\/binance\/pay\//);
    assert.match(order.deepLink, /^bnc:\/\//);
    assert.match(order.universalUrl, /^http/);
    const stored = sandbox.orders.get(order.upstreamId)!;
    assert.equal(stored.orderAmount, '10.10000001');
    assert.equal(stored.merchantTradeNo, merchantTradeNo(traceId));
    assert.deepEqual(await client.queryOrder(order.upstreamId), { state: 'pending' });
  });

  test('refuses a wrong secret with Binance error codes', async () => {
    const wrong = new BinancePayClient({ baseUrl: `${server.url}/sandbox/binance`, apiKey: 'key-1', secretKey: 'nope' });
    await assert.rejects(wrong.queryOrder('1'), (e: unknown) => e instanceof WalletApiError && e.code === '400002');
  });

  test('a paid order sends a webhook that verifies with the certificate key; tampering does not', async () => {
    const order = await create();
    const page = await fetch(order.checkoutUrl);
    const pageText = await page.text();
    assert.doesNotMatch(pageText, /<script/i);
    const paid = await fetch(`${order.checkoutUrl}/pay`, { method: 'POST', redirect: 'manual' });
    assert.equal(paid.status, 303);
    await eventually(() => received.length > 0, 10_000, 'the paid webhook');
    const hook = received.shift()!;
    // bizId is written as a raw 64-bit number that JSON.parse rounds to a double (whose shortest
    // spelling may still read as the same digits, as 1796158886790001700's did); bizIdStr is exact.
    const parsed = JSON.parse(hook.body).bizId as unknown;
    assert.equal(typeof parsed, 'number');
    assert.equal(BigInt(parsed as number) === BigInt(order.upstreamId), BigInt(Number(order.upstreamId)) === BigInt(order.upstreamId));
    const event = await client.verifyWebhook(hook.headers, hook.body);
    assert.equal(event.state, 'paid');
    assert.equal(event.upstreamId, order.upstreamId);
    assert.equal(typeof event.paidAt, 'number');
    await assert.rejects(client.verifyWebhook(hook.headers, hook.body.replace('PAY_SUCCESS', 'PAY_CLOSED')), WebhookRejectedError);
    const stale = new Headers(hook.headers);
    stale.set('BinancePay-Timestamp', String(Date.now() - 3600_000));
    await assert.rejects(client.verifyWebhook(stale, hook.body), WebhookRejectedError);
    const unsigned = new Headers(hook.headers);
    unsigned.delete('BinancePay-Signature');
    await assert.rejects(client.verifyWebhook(unsigned, hook.body), WebhookRejectedError);
    assert.equal((await client.queryOrder(order.upstreamId)).state, 'paid');
  });

  test('refunds once per refundRequestId and reports the order refunded', async () => {
    const order = await create(randomUUID(), '3');
    await sandbox.pay(order.upstreamId);
    const refund = { traceId: 'x', upstreamId: order.upstreamId, amount: '3', refundRequestId: 'rf1', reason: 'test' };
    await client.refund(refund);
    await client.refund(refund);
    assert.equal(sandbox.orders.get(order.upstreamId)!.refunds.length, 1);
    assert.equal((await client.queryOrder(order.upstreamId)).state, 'refunded');
    const unpaid = await create();
    await assert.rejects(client.refund({ ...refund, upstreamId: unpaid.upstreamId, refundRequestId: 'rf2' }), WalletApiError);
  });

  test('forged webhooks cannot make the adapter fetch the certificates on every request', async () => {
    let certificateCalls = 0;
    const counting: typeof fetch = (input, init) => {
      if (String(input).endsWith('/certificates')) certificateCalls += 1;
      return fetch(input, init);
    };
    const counted = new BinancePayClient({ baseUrl: `${server.url}/sandbox/binance`, apiKey: 'key-1', secretKey: 'secret-1', fetch: counting });
    const body = JSON.stringify({ bizType: 'PAY', bizIdStr: '1', bizStatus: 'PAY_SUCCESS', data: '{}' });
    for (let i = 0; i < 20; i++) {
      const headers = new Headers({ 'BinancePay-Timestamp': String(Date.now()), 'BinancePay-Nonce': 'a'.repeat(32), 'BinancePay-Signature': 'AAAA', 'BinancePay-Certificate-SN': i % 2 ? 'sandbox-cert-1' : `forged-${i}` });
      await assert.rejects(counted.verifyWebhook(headers, body), WebhookRejectedError);
    }
    assert.ok(certificateCalls <= 2, `fetched the certificates ${certificateCalls} times for 20 forged webhooks`);
  });
});
