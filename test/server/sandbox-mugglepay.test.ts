/**
 * The sandbox's MugglePay keeps the contract (contracts §5, seed 004): a created order is HTTP 200
 * with `"status": 201` in the body, `price_amount` travels as a number both ways, callbacks carry
 * amounts as numbers and are retried with doubling back-off from 1 minute for up to 3 days.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { eventually } from '../support/wait.ts';
import { MugglePayClient } from '../../server/wallets/mugglepay.ts';
import { createMugglePaySandbox, type MugglePaySandbox } from '../../server/sandbox/mugglepay/index.ts';
import { callbackRetryDelay, FIRST_RETRY_MS, GIVE_UP_AFTER_MS } from '../../server/sandbox/mugglepay/callbacks.ts';

describe('sandbox MugglePay', () => {
  let sandbox: MugglePaySandbox;
  let server: Listening;
  let receiver: Listening;
  const sent: string[] = [];
  const received: Array<{ at: number; body: string }> = [];
  let accept = true;

  before(async () => {
    sandbox = createMugglePaySandbox({ apiKeys: ['api-key'], callbackRetryMs: 1 });
    server = await listen(new Hono().route('/m', sandbox.app).fetch);
    receiver = await listen(
      new Hono().post('/hook', async (c) => {
        received.push({ at: Date.now(), body: await c.req.text() });
        return accept ? c.json({ status: 200 }) : c.json({ status: 500 }, 500);
      }).fetch,
    );
  });
  after(async () => {
    sandbox.stop();
    await server.close();
    await receiver.close();
  });

  /** A client whose request bodies are kept, to see what goes on the wire. */
  const client = () =>
    new MugglePayClient({
      baseUrl: `${server.url}/m/v1`, apiKey: 'api-key', callbackSecret: 'callback-secret-0123456789',
      fetch: (input, init) => {
        if (typeof init?.body === 'string') sent.push(init.body);
        return fetch(input, init);
      },
    });
  const create = (amount = '5.05') =>
    client().createOrder({ traceId: randomUUID(), amount, currency: 'USDT', title: 'MixPay payment', returnUrl: 'https://broker.example/return', webhookUrl: `${receiver.url}/hook`, expiresAt: Date.now() + 900_000 });

  test('creating an order answers HTTP 200 with "status": 201 in the body', async () => {
    const response = await fetch(`${server.url}/m/v1/orders`, { method: 'POST', headers: { token: 'api-key', 'content-type': 'application/json' }, body: '{"merchant_order_id": "1", "price_amount": 10, "price_currency": "CNY"}' });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: number; order: { price_amount: string; status: string } };
    assert.equal(body.status, 201);
    assert.equal(body.order.status, 'NEW');
    assert.equal(body.order.price_amount, '10');
  });

  test('the client sends price_amount as a number, exactly', async () => {
    const order = await create('10.10000001');
    assert.match(sent.at(-1)!, /"price_amount":10\.10000001[,}]/);
    assert.equal(sandbox.orders.get(order.upstreamId)!.price_amount, '10.10000001');
  });

  test('a callback carries price_amount and pay_amount as numbers', async () => {
    const order = await create('5.05');
    sandbox.pay(order.upstreamId);
    await eventually(() => received.some((r) => r.body.includes(order.upstreamId)), 10_000, 'the paid callback');
    const body = received.find((r) => r.body.includes(order.upstreamId))!.body;
    assert.match(body, /"price_amount":5\.05,/);
    assert.match(body, /"pay_amount":5\.05,/);
    assert.equal(JSON.parse(body).status, 'PAID');
  });

  test('the retry schedule doubles from 1 minute and stops within 3 days: 12 retries', () => {
    const delays: number[] = [];
    for (let retry = 1; callbackRetryDelay(retry) !== null; retry++) delays.push(callbackRetryDelay(retry)!);
    assert.equal(delays.length, 12);
    assert.equal(delays[0], FIRST_RETRY_MS);
    for (let i = 1; i < delays.length; i++) assert.equal(delays[i], delays[i - 1]! * 2);
    const total = delays.reduce((a, b) => a + b, 0);
    assert.ok(total <= GIVE_UP_AFTER_MS && total + delays.at(-1)! * 2 > GIVE_UP_AFTER_MS, `${total} ms`);
    assert.equal(GIVE_UP_AFTER_MS, 3 * 24 * 3600_000);
  });

  test('a callback nobody accepts is sent 13 times in all, each wait double the last', async () => {
    accept = false;
    try {
      const order = await create('1');
      sandbox.pay(order.upstreamId);
      const mine = () => received.filter((r) => r.body.includes(order.upstreamId));
      // 12 retries 1, 2, 4 ... 2048 ms apart: about 4.1 s of waits plus 13 requests.
      await eventually(() => mine().length >= 13 && sandbox.orders.get(order.upstreamId)!.callbacks.length >= 13, 20_000, 'thirteen callbacks');
      await new Promise((r) => setTimeout(r, 300)); // a fourteenth would be 4096 ms away: none may start
      assert.equal(mine().length, 13);
      assert.equal(sandbox.orders.get(order.upstreamId)!.callbacks.length, 13);
      const gaps = mine().slice(1).map((r, i) => r.at - mine()[i]!.at);
      assert.ok(gaps.at(-1)! >= 1024, `the last wait is 2048 first delays: ${gaps.join(', ')}`);
    } finally {
      accept = true;
    }
  });
});
