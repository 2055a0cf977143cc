/**
 * The sandbox's Binance Pay keeps the contract (contracts §4): every part of the request signature
 * is checked, create v3 needs `goods`, webhooks are retried 6 times after the first, an order that
 * expires unpaid is announced with PAY_CLOSED, and PENDING, ERROR and REFUNDING can be produced,
 * each of which the client maps to a state.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { BinancePayClient, binanceNonce, merchantTradeNo, signBinanceRequest } from '../../server/wallets/binance.ts';
import { createBinanceSandbox, type BinanceSandbox } from '../../server/sandbox/binance/index.ts';
import { WEBHOOK_RETRIES } from '../../server/sandbox/binance/webhook.ts';
import { eventually, sleep } from '../support/wait.ts';

const KEY = 'key-1';
const SECRET = 'secret-1';

describe('sandbox Binance Pay', () => {
  let sandbox: BinanceSandbox;
  let server: Listening;
  let receiver: Listening;
  let client: BinancePayClient;
  let base: string;
  /** What the receiver answers: a failing receiver makes the sandbox retry. */
  let accept = true;
  const received: Array<{ bizStatus: string; bizIdStr: string }> = [];

  before(async () => {
    sandbox = createBinanceSandbox({ merchants: [{ apiKey: KEY, secretKey: SECRET }], webhookRetryMs: 20, refundingMs: 60_000 });
    server = await listen(new Hono().route('/binance', sandbox.app).fetch);
    receiver = await listen(
      new Hono().post('/hook', async (c) => {
        const body = JSON.parse(await c.req.text()) as { bizStatus: string; bizIdStr: string };
        received.push(body);
        return accept ? c.json({ returnCode: 'SUCCESS', returnMessage: null }) : c.json({ returnCode: 'FAIL' }, 500);
      }).fetch,
    );
    base = `${server.url}/binance`;
    client = new BinancePayClient({ baseUrl: base, apiKey: KEY, secretKey: SECRET });
  });
  after(async () => {
    sandbox.stop();
    await server.close();
    await receiver.close();
  });

  const orderBody = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({
      env: { terminalType: 'WEB' }, merchantTradeNo: merchantTradeNo(randomUUID()), orderAmount: '1.5', currency: 'USDT',
      goods: { goodsType: '02', goodsCategory: 'Z000', referenceGoodsId: 'x', goodsName: 'MixPay payment' }, webhookUrl: `${receiver.url}/hook`, ...overrides,
    });

  /** A signed call with one header changed afterwards. */
  async function call(path: string, body: string, tamper: (headers: Record<string, string>) => void = () => {}) {
    const timestamp = String(Date.now());
    const nonce = binanceNonce();
    const headers: Record<string, string> = {
      'content-type': 'application/json', 'BinancePay-Timestamp': timestamp, 'BinancePay-Nonce': nonce, 'BinancePay-Certificate-SN': KEY,
      'BinancePay-Signature': signBinanceRequest(SECRET, timestamp, nonce, body),
    };
    tamper(headers);
    const response = await fetch(`${base}/binancepay/openapi${path}`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { status: string; code: string; errorMessage?: string; data?: { prepayId: string } } };
  }

  test('a correctly signed create v3 with goods succeeds', async () => {
    const answer = await call('/v3/order', orderBody());
    assert.equal(answer.body.status, 'SUCCESS', answer.body.errorMessage);
  });

  const signatureBreaks: Array<[string, (h: Record<string, string>) => void, RegExp]> = [
    ['an unknown certificate serial', (h) => (h['BinancePay-Certificate-SN'] = 'other-key'), /Certificate-SN/],
    ['a timestamp two minutes old', (h) => (h['BinancePay-Timestamp'] = String(Date.now() - 120_000)), /recvWindow/],
    ['a nonce that is not 32 letters', (h) => (h['BinancePay-Nonce'] = '1'.repeat(32)), /Nonce/],
    ['a lower-case signature', (h) => (h['BinancePay-Signature'] = h['BinancePay-Signature']!.toLowerCase()), /Signature for this request is not valid\./],
    ['a signature under another secret', (h) => (h['BinancePay-Signature'] = signBinanceRequest('nope', h['BinancePay-Timestamp']!, h['BinancePay-Nonce']!, orderBody())), /not valid\./],
    ['a signature without the nonce', (h) => (h['BinancePay-Nonce'] = binanceNonce()), /not valid\./],
  ];
  for (const [what, tamper, message] of signatureBreaks) {
    test(`refuses ${what} with 400002`, async () => {
      const answer = await call('/v3/order', orderBody(), tamper);
      assert.equal(answer.status, 401);
      assert.equal(answer.body.code, '400002');
      assert.match(answer.body.errorMessage ?? '', message);
    });
  }

  test('the signature covers the body', async () => {
    const body = orderBody();
    const timestamp = String(Date.now());
    const nonce = binanceNonce();
    const response = await fetch(`${base}/binancepay/openapi/v3/order`, {
      method: 'POST',
      headers: { 'BinancePay-Timestamp': timestamp, 'BinancePay-Nonce': nonce, 'BinancePay-Certificate-SN': KEY, 'BinancePay-Signature': signBinanceRequest(SECRET, timestamp, nonce, body) },
      body: body.replace('"1.5"', '"0.5"'),
    });
    assert.equal(((await response.json()) as { code: string }).code, '400002');
  });

  const fieldBreaks: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a merchantTradeNo with a dash', { merchantTradeNo: 'abc-123' }, /merchantTradeNo/],
    ['a merchantTradeNo of 33 characters', { merchantTradeNo: 'a'.repeat(33) }, /merchantTradeNo/],
    ['an orderAmount of zero', { orderAmount: '0' }, /orderAmount/],
    ['an orderAmount with 9 decimals', { orderAmount: '1.123456789' }, /orderAmount/],
    ['no currency', { currency: '' }, /currency/],
    ['an unknown terminalType', { env: { terminalType: 'TV' } }, /terminalType/],
    ['an orderExpireTime two hours ahead', { orderExpireTime: Date.now() + 7200_000 }, /orderExpireTime/],
  ];
  for (const [what, fields, message] of fieldBreaks) {
    test(`create v3 refuses ${what}`, async () => {
      const answer = await call('/v3/order', orderBody(fields));
      assert.equal(answer.body.status, 'FAIL');
      assert.match(answer.body.errorMessage ?? '', message);
    });
  }

  test('create v3 refuses an order without goods, or with goods missing a field', async () => {
    for (const goods of [undefined, {}, { goodsType: '02', goodsCategory: 'Z000', referenceGoodsId: 'x' }, { goodsType: '03', goodsCategory: 'Z000', referenceGoodsId: 'x', goodsName: 'n' }]) {
      const answer = await call('/v3/order', orderBody({ goods }));
      assert.equal(answer.body.status, 'FAIL', JSON.stringify(goods));
      assert.match(answer.body.errorMessage ?? '', /goods/);
    }
    const order = await client.createOrder({ traceId: randomUUID(), amount: '2', currency: 'USDT', title: 'MixPay payment', returnUrl: 'https://broker.example/r', webhookUrl: '', expiresAt: Date.now() + 60_000 });
    assert.deepEqual(sandbox.orders.get(order.upstreamId)!.goods, { goodsType: '02', goodsCategory: 'Z000', referenceGoodsId: sandbox.orders.get(order.upstreamId)!.goods.referenceGoodsId, goodsName: 'MixPay payment' });
  });

  test(`a webhook nobody accepts is sent ${WEBHOOK_RETRIES} more times after the first, then given up`, async () => {
    assert.equal(WEBHOOK_RETRIES, 6);
    accept = false;
    try {
      const created = await call('/v3/order', orderBody());
      const prepayId = created.body.data!.prepayId;
      await sandbox.pay(prepayId);
      await eventually(() => sandbox.orders.get(prepayId)!.webhooks.length >= 7, 15_000, 'seven webhook attempts');
      await sleep(150); // an eighth would come 20 ms after the seventh
      assert.equal(sandbox.orders.get(prepayId)!.webhooks.length, 7);
      assert.equal(received.filter((r) => r.bizIdStr === prepayId).length, 7);
    } finally {
      accept = true;
    }
  });

  test('an order that expires unpaid is announced with PAY_CLOSED, without anyone asking', async () => {
    const created = await call('/v3/order', orderBody({ orderExpireTime: Date.now() + 100 }));
    const prepayId = created.body.data!.prepayId;
    await eventually(() => received.some((r) => r.bizIdStr === prepayId), 10_000, 'the PAY_CLOSED webhook');
    assert.deepEqual(received.filter((r) => r.bizIdStr === prepayId).map((r) => r.bizStatus), ['PAY_CLOSED']);
    assert.equal(sandbox.orders.get(prepayId)!.status, 'EXPIRED');
    assert.deepEqual(await client.queryOrder(prepayId), { state: 'closed' });
  });

  test('PENDING, ERROR and REFUNDING can be produced, and the client maps each', async () => {
    const expected = { PENDING: 'pending', ERROR: 'closed', REFUNDING: 'refunded' } as const;
    for (const [status, state] of Object.entries(expected)) {
      const created = await call('/v3/order', orderBody());
      const prepayId = created.body.data!.prepayId;
      const forced = await fetch(`${base}/_sandbox/orders/${prepayId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status }) });
      assert.equal(forced.status, 200);
      assert.equal((await client.queryOrder(prepayId)).state, state, status);
    }
    const other = (await call('/v3/order', orderBody())).body.data!.prepayId;
    const refused = await fetch(`${base}/_sandbox/orders/${other}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"PAID"}' });
    assert.equal(refused.status, 400, 'PAID is reached by paying, not forced');
  });

  test('a PENDING order can still be paid; a refund reports REFUNDING until it completes', async () => {
    const created = await call('/v3/order', orderBody());
    const prepayId = created.body.data!.prepayId;
    await fetch(`${base}/_sandbox/orders/${prepayId}/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"status":"PENDING"}' });
    await sandbox.pay(prepayId);
    assert.equal(sandbox.orders.get(prepayId)!.status, 'PAID');
    await client.refund({ traceId: 'x', upstreamId: prepayId, amount: '1.5', refundRequestId: 'rf-pending', reason: 'test' });
    assert.equal(sandbox.orders.get(prepayId)!.status, 'REFUNDING');
    assert.equal((await client.queryOrder(prepayId)).state, 'refunded');
  });
});
