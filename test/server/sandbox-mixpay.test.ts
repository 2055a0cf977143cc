/** The sandbox's MixPay over real HTTP: validation, payments_result, simulate, pay page, callbacks, rate limit. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { createSandbox, type SandboxApp, type SandboxOptions } from '../../server/sandbox/index.ts';
import { listen, type Listening } from '../support/http.ts';
import { sleep } from '../support/wait.ts';

const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';
const OTHER_PAYEE = '3c3b6f24-5b1c-4a39-9a35-6a1b4b3a9c11';
const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const START = Date.UTC(2026, 0, 1, 12, 0, 0);

type Json = Record<string, any>;

interface Harness {
  base: string;
  sandbox: SandboxApp;
  clock: { now: () => number; advance(ms: number): void };
  mint(fields?: Json): Promise<{ status: number; body: Json }>;
  mintCode(fields?: Json): Promise<string>;
  result(query: Record<string, string>): Promise<{ status: number; body: Json }>;
  simulate(code: string, body: Json): Promise<{ status: number; body: Json }>;
  callbacks(code: string): Promise<Json>;
  close(): Promise<void>;
}

let orderSeq = 0;
const nextOrderId = () => `order-${process.pid}-${++orderSeq}`;

async function startSandbox(options: Partial<SandboxOptions> & { fakeClock?: boolean } = {}): Promise<Harness> {
  let time = START;
  const clock = { now: () => time, advance: (ms: number) => void (time += ms) };
  const { fakeClock = true, ...rest } = options;
  const sandbox = createSandbox({ timeScale: 0.001, rateLimitPerMinute: 'unlimited', ...(fakeClock ? { now: clock.now } : {}), ...rest });
  const server: Listening = await listen(new Hono().route('/sandbox', sandbox).fetch);
  const base = `${server.url}/sandbox/mixpay`;
  const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });
  const h: Harness = {
    base,
    sandbox,
    clock,
    mint: async (fields = {}) =>
      json(
        await fetch(`${base}/v1/one_time_payment`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ payeeId: PAYEE, quoteAmount: '10', quoteAssetId: 'usd', settlementAssetId: USDT, orderId: nextOrderId(), ...fields }),
        }),
      ),
    mintCode: async (fields = {}) => {
      const { status, body } = await h.mint(fields);
      assert.equal(status, 200, JSON.stringify(body));
      return body.data.code as string;
    },
    result: async (query) => json(await fetch(`${base}/v1/payments_result?${new URLSearchParams(query)}`)),
    simulate: async (code, body) =>
      json(await fetch(`${base}/payments/${code}/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })),
    callbacks: async (code) => ((await (await fetch(`${base}/payments/${code}/callbacks`)).json()) as Json).data,
    close: async () => {
      sandbox.stop();
      await server.close();
    },
  };
  return h;
}

/** A merchant callback endpoint that answers from a script and records each call. */
async function startReceiver(answer: (hit: number) => Response = () => Response.json({ code: 'SUCCESS' })) {
  const hits: Array<{ at: number; body: Json; contentType: string | null }> = [];
  const server = await listen(async (request) => {
    hits.push({ at: performance.now(), body: (await request.json()) as Json, contentType: request.headers.get('content-type') });
    return answer(hits.length);
  });
  return { url: `${server.url}/mixpay/callback`, hits, close: () => server.close() };
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}


function assertError(response: { status: number; body: Json }, code: number, messagePart?: RegExp) {
  assert.equal(response.body.success, false, JSON.stringify(response.body));
  assert.equal(response.body.code, code, JSON.stringify(response.body));
  assert.deepEqual(response.body.data, []);
  assert.equal(typeof response.body.timestampMs, 'number');
  if (messagePart) assert.match(response.body.message, messagePart);
}

describe('POST /v1/one_time_payment', () => {
  let h: Harness;
  before(async () => (h = await startSandbox()));
  after(() => h.close());

  test('answers the envelope with a fresh code for a JSON body', async () => {
    const { status, body } = await h.mint();
    assert.equal(status, 200);
    assert.equal(body.code, 0);
    assert.equal(body.success, true);
    assert.equal(body.message, '');
    assert.equal(body.timestampMs, START);
    assert.match(body.data.code, UUID);
  });

  test('accepts a form-encoded body as official clients send it', async () => {
    const response = await fetch(`${h.base}/v1/one_time_payment`, {
      method: 'POST',
      body: new URLSearchParams({ payeeId: PAYEE, quoteAmount: '12.50', quoteAssetId: 'usd', settlementAssetId: USDT, orderId: nextOrderId(), expiredTimestamp: String(START / 1000 + 600), strictMode: 'true', isTemp: '1' }),
    });
    const body = (await response.json()) as Json;
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.match(body.data.code, UUID);
  });

  test('accepts numbers from JSON for quoteAmount and expiredTimestamp', async () => {
    const orderId = nextOrderId();
    const { status, body } = await h.mint({ orderId, quoteAmount: 9.99, expiredTimestamp: START / 1000 + 60 });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal((await h.result({ orderId, payeeId: PAYEE })).body.data.quoteAmount, '9.99');
  });

  const now = START / 1000;
  const rejected: Array<[string, Json, RegExp]> = [
    ['payeeId missing', { payeeId: undefined }, /payeeId/],
    ['payeeId with spaces', { payeeId: 'a b' }, /payeeId/],
    ['quoteAmount missing', { quoteAmount: undefined }, /quoteAmount/],
    ['quoteAmount zero', { quoteAmount: '0' }, /quoteAmount must be greater than zero/],
    ['quoteAmount negative', { quoteAmount: '-1' }, /quoteAmount/],
    ['quoteAmount in exponent form', { quoteAmount: '1e3' }, /quoteAmount/],
    ['quoteAmount with 9 decimals', { quoteAmount: '1.123456789' }, /quoteAmount/],
    ['quoteAmount as text', { quoteAmount: 'ten' }, /quoteAmount/],
    ['quoteAssetId missing', { quoteAssetId: undefined }, /quoteAssetId/],
    ['quoteAssetId as an upper-case fiat code', { quoteAssetId: 'USD' }, /quoteAssetId must be an asset UUID or a lower-case fiat code such as usd/],
    ['quoteAssetId that is neither a UUID nor a fiat code', { quoteAssetId: 'dollars' }, /quoteAssetId/],
    ['settlementAssetId missing', { settlementAssetId: undefined }, /settlementAssetId/],
    ['settlementAssetId with a slash', { settlementAssetId: 'usdt/erc20' }, /settlementAssetId must be an id/],
    ['paymentAssetId with a space', { paymentAssetId: 'bit coin' }, /paymentAssetId must be an id/],
    ['returnTo over 2048', { returnTo: `https://shop.example/${'r'.repeat(2048)}` }, /returnTo must be at most 2048/],
    ['failedReturnTo over 2048', { failedReturnTo: `https://shop.example/${'r'.repeat(2048)}` }, /failedReturnTo must be at most 2048/],
    ['strictMode that is not a flag', { strictMode: 'maybe' }, /strictMode/],
    ['neither orderId nor traceId', { orderId: undefined }, /orderId or traceId is required/],
    ['orderId of 5 characters', { orderId: 'abcde' }, /orderId must be 6-36/],
    ['orderId of 37 characters', { orderId: 'a'.repeat(37) }, /orderId/],
    ['orderId with a space', { orderId: 'order 123' }, /orderId/],
    ['orderId with a dot', { orderId: 'order.123' }, /orderId/],
    ['traceId that is not a UUID', { orderId: undefined, traceId: 'trace-123456' }, /traceId must be a UUID/],
    ['remark over 50', { remark: 'r'.repeat(51) }, /remark must be at most 50/],
    ['settlementMemo over 200', { settlementMemo: 'm'.repeat(201) }, /settlementMemo must be at most 200/],
    ['expiredTimestamp 10 s ahead', { expiredTimestamp: now + 10 }, /expiredTimestamp .*more than 10 s/],
    ['expiredTimestamp in the past', { expiredTimestamp: now - 5 }, /expiredTimestamp/],
    ['expiredTimestamp 2880 min ahead', { expiredTimestamp: now + 2880 * 60 }, /less than 2880 minutes/],
    ['expiredTimestamp in milliseconds', { expiredTimestamp: START + 60_000 }, /expiredTimestamp/],
    ['expiredTimestamp not a number', { expiredTimestamp: 'soon' }, /expiredTimestamp/],
    ['callbackUrl over plain http', { callbackUrl: 'http://shop.example/cb' }, /callbackUrl must be an https URL/],
    ['callbackUrl on a look-alike of localhost', { callbackUrl: 'http://localhost.evil.example/cb' }, /callbackUrl/],
    ['callbackUrl with another scheme', { callbackUrl: 'ftp://shop.example/cb' }, /callbackUrl/],
    ['callbackUrl not a URL', { callbackUrl: 'shop.example/cb' }, /callbackUrl/],
    ['callbackEvent with an unknown event', { callbackEvent: 'success|refund' }, /callbackEvent lists unknown events \["refund"\]/],
    ['callbackEvent with an empty part', { callbackEvent: 'success||fail' }, /callbackEvent/],
  ];
  for (const [name, fields, message] of rejected) {
    test(`refuses ${name}`, async () => {
      assertError(await h.mint(fields), 1017, message);
    });
  }

  const accepted: Array<[string, Json]> = [
    ['an orderId of 6 characters', { orderId: 'ab_-12' }],
    ['an orderId of 36 characters', { orderId: 'A'.repeat(35) + '9' }],
    ['only a traceId', { orderId: undefined, traceId: crypto.randomUUID() }],
    ['a fiat or asset quote', { quoteAssetId: USDT, quoteAmount: '0.00000001' }],
    ['expiredTimestamp 11 s ahead', { expiredTimestamp: now + 11 }],
    ['expiredTimestamp just under 2880 min ahead', { expiredTimestamp: now + 2880 * 60 - 1 }],
    ['an https callbackUrl', { callbackUrl: 'https://shop.example/mixpay/callback?x=1' }],
    ['http callbackUrl on localhost', { callbackUrl: 'http://localhost:8787/mixpay/callback' }],
    ['http callbackUrl on 127.0.0.1', { callbackUrl: 'http://127.0.0.1:9/cb' }],
    ['http callbackUrl on [::1]', { callbackUrl: 'http://[::1]:9/cb' }],
    ['every callback event', { callbackEvent: 'success|fail|pending|paid_less|settle' }],
    ['an empty callbackEvent', { callbackEvent: '' }],
    ['remark of 50 and settlementMemo of 200', { remark: 'r'.repeat(50), settlementMemo: 'm'.repeat(200) }],
  ];
  for (const [name, fields] of accepted) {
    test(`accepts ${name}`, async () => {
      const { status, body } = await h.mint(fields);
      assert.equal(status, 200, JSON.stringify(body));
      assert.match(body.data.code, UUID);
    });
  }

  test('refuses a body that is neither an object nor valid JSON', async () => {
    for (const body of ['[1,2]', '{"payeeId":', '"text"']) {
      const response = await fetch(`${h.base}/v1/one_time_payment`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assertError({ status: response.status, body: (await response.json()) as Json }, 1017);
      assert.equal(response.status, 400);
    }
  });

  test('keeps orderId unique per payee, not across payees', async () => {
    const orderId = nextOrderId();
    await h.mintCode({ orderId });
    assertError(await h.mint({ orderId }), 1017, /orderId .* already used/);
    assert.equal((await h.mint({ orderId, payeeId: OTHER_PAYEE })).status, 200);
  });

  test('refuses a traceId that was used before', async () => {
    const traceId = crypto.randomUUID();
    await h.mintCode({ orderId: undefined, traceId });
    assertError(await h.mint({ orderId: nextOrderId(), traceId }), 1017, /traceId .* already used/);
  });
});

describe('GET /v1/payments_result', () => {
  let h: Harness;
  before(async () => (h = await startSandbox()));
  after(() => h.close());

  test('reports an unpaid link: quote filled, payment fields empty, failureCode "0", confirmations -1', async () => {
    const orderId = nextOrderId();
    const code = await h.mintCode({ orderId, quoteAmount: '25.5', returnTo: 'https://shop.example/done' });
    const { status, body } = await h.result({ orderId, payeeId: PAYEE, with: 'payment,transactions' });
    assert.equal(status, 200);
    assert.equal(body.success, true);
    const data = body.data;
    assert.equal(data.status, 'unpaid');
    assert.equal(data.quoteAmount, '25.5');
    assert.equal(data.quoteSymbol, 'USD');
    assert.equal(data.quoteAssetId, 'usd');
    assert.equal(data.payeeId, PAYEE);
    for (const field of ['paymentAmount', 'paymentSymbol', 'paymentAssetId', 'txid', 'blockExplorerUrl', 'payableAmount', 'payableAssetId', 'settleAmount', 'settleAsset', 'failureReason', 'returnTo']) {
      assert.equal(data[field], '', field);
    }
    assert.equal(data.failureCode, '0');
    assert.equal(data.confirmations, -1);
    assert.equal(data.date, 0);
    // contracts §1: settleStatus is pending|success; before settlement it is pending, never empty.
    assert.equal(data.settleStatus, 'pending');
    assert.equal(data.surplusStatus, 'no');
    assert.match(data.traceId, UUID);
    assert.notEqual(data.traceId, code, 'the code is not the traceId');
    assert.deepEqual(data.payment, { isMultiPay: false, isFullyPaid: false, totalTransactionsAmount: '0' });
    assert.deepEqual(data.transactions, []);
  });

  test('finds a link by its traceId, and by orderId + payeeId', async () => {
    const traceId = crypto.randomUUID();
    const orderId = nextOrderId();
    await h.mintCode({ orderId, traceId });
    const byTrace = await h.result({ traceId });
    const byOrder = await h.result({ orderId, payeeId: PAYEE });
    assert.equal(byTrace.body.data.traceId, traceId);
    assert.equal(byOrder.body.data.traceId, traceId);
    assert.equal(byTrace.body.data.payment, undefined, 'payment only with=payment');
    assert.equal(byTrace.body.data.transactions, undefined, 'transactions only with=transactions');
    assert.ok((await h.result({ traceId, with: 'transactions' })).body.data.transactions);
  });

  test('does not take the link code for a traceId', async () => {
    const code = await h.mintCode();
    const response = await h.result({ traceId: code });
    assert.equal(response.status, 404);
    assertError(response, 404, /does not exist/);
  });

  test('answers other API paths and methods with a 404 envelope', async () => {
    for (const [method, path] of [['GET', '/v1/one_time_payment'], ['GET', '/v1/payments'], ['POST', '/v1/payments_result']] as const) {
      const response = await fetch(`${h.base}${path}`, { method });
      assert.equal(response.status, 404, `${method} ${path}`);
      assertError({ status: response.status, body: (await response.json()) as Json }, 404, /plays POST \/one_time_payment and GET \/payments_result only/);
    }
  });

  test('answers unknown payments and missing parameters with an error envelope', async () => {
    assertError(await h.result({ traceId: crypto.randomUUID() }), 404);
    assertError(await h.result({ orderId: nextOrderId(), payeeId: PAYEE }), 404);
    const orderId = nextOrderId();
    await h.mintCode({ orderId });
    assertError(await h.result({ orderId, payeeId: OTHER_PAYEE }), 404);
    assertError(await h.result({ orderId }), 1017, /orderId together with payeeId/);
    assertError(await h.result({}), 1017);
  });
});

describe('POST /payments/{code}/simulate', () => {
  let h: Harness;
  before(async () => (h = await startSandbox()));
  after(() => h.close());

  async function mintAndFind(fields: Json = {}) {
    const orderId = nextOrderId();
    const code = await h.mintCode({ orderId, ...fields });
    const result = async () => (await h.result({ orderId, payeeId: PAYEE, with: 'payment,transactions' })).body.data;
    return { code, orderId, result };
  }

  test('success: paid in full, then settled a moment later', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '10.00' });
    const answer = await h.simulate(code, { outcome: 'success' });
    assert.equal(answer.status, 200);
    assert.equal(answer.body.data.status, 'success', 'the control call answers the new result');
    const data = await result();
    assert.equal(data.status, 'success');
    assert.equal(data.quoteAmount, '10.00');
    assert.equal(data.paymentAmount, '10');
    assert.equal(data.paymentAssetId, USDT);
    assert.equal(data.paymentSymbol, 'USDT');
    assert.match(data.txid, /^[0-9a-f]{64}$/);
    assert.equal(data.date, START / 1000);
    assert.equal(data.failureCode, '0');
    assert.equal(data.confirmations, -1);
    assert.deepEqual(data.payment, { isMultiPay: false, isFullyPaid: true, totalTransactionsAmount: '10' });
    assert.equal(data.transactions.length, 1);
    assert.equal(data.transactions[0].confirmations, data.transactions[0].requiredConfirms);
    await waitFor('settlement', async () => (await result()).settleStatus === 'success');
    const settled = await result();
    assert.equal(settled.settleAmount, '10');
    assert.equal(settled.settleAsset, USDT);
    assert.equal(settled.settleSymbol, 'USDT');
  });

  test('tampered quote amount, quote asset and payee all show in payments_result', async () => {
    const traceId = crypto.randomUUID();
    const code = await h.mintCode({ quoteAmount: '1000', traceId });
    const answer = await h.simulate(code, { outcome: 'success', quoteAmount: '0.01', quoteAssetId: 'eur', payeeId: OTHER_PAYEE });
    assert.equal(answer.status, 200);
    const data = (await h.result({ traceId, with: 'payment' })).body.data;
    assert.equal(data.status, 'success');
    assert.equal(data.quoteAmount, '0.01');
    assert.equal(data.quoteAssetId, 'eur');
    assert.equal(data.quoteSymbol, 'EUR');
    assert.equal(data.payeeId, OTHER_PAYEE);
    assert.equal(data.paymentAmount, '0.01', 'the customer paid the tampered price');
  });

  test('paymentAmount sets what the customer sent', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '10' });
    await h.simulate(code, { outcome: 'success', paymentAmount: '9.5' });
    const data = await result();
    assert.equal(data.status, 'success');
    assert.equal(data.quoteAmount, '10');
    assert.equal(data.paymentAmount, '9.5');
  });

  test('paid_less: pending with isMultiPay and not fully paid; a later success completes it', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '10' });
    await h.simulate(code, { outcome: 'paid_less', paymentAmount: '4' });
    let data = await result();
    assert.equal(data.status, 'pending');
    assert.deepEqual(data.payment, { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '4' });
    assert.equal(data.paymentAmount, '4');
    assert.equal(data.transactions.length, 1);
    await h.simulate(code, { outcome: 'paid_less', paymentAmount: '1.5' });
    data = await result();
    assert.deepEqual(data.payment, { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '5.5' });
    await h.simulate(code, { outcome: 'success' });
    data = await result();
    assert.equal(data.status, 'success');
    assert.deepEqual(data.payment, { isMultiPay: true, isFullyPaid: true, totalTransactionsAmount: '10' });
    assert.deepEqual(
      data.transactions.map((tx: Json) => tx.paymentAmount),
      ['4', '1.5', '4.5'],
    );
  });

  test('paid_less without an amount pays half; a full amount is refused', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '0.00000003' });
    await h.simulate(code, { outcome: 'paid_less' });
    assert.equal((await result()).payment.totalTransactionsAmount, '0.00000001');
    const tooMuch = await h.simulate(code, { outcome: 'paid_less', paymentAmount: '0.00000002' });
    assert.equal(tooMuch.status, 400);
    assertError(tooMuch, 1017, /below the 0\.00000002 still due/);
  });

  test('pending: waiting for confirmations, then success', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '3' });
    await h.simulate(code, { outcome: 'pending' });
    let data = await result();
    assert.equal(data.status, 'pending');
    assert.ok(data.confirmations >= 0, 'confirmations count while pending');
    assert.deepEqual(data.payment, { isMultiPay: false, isFullyPaid: true, totalTransactionsAmount: '3' });
    assertError(await h.simulate(code, { outcome: 'pending' }), 1017, /already waiting/);
    assertError(await h.simulate(code, { outcome: 'expire' }), 1017, /does not expire/);
    await h.simulate(code, { outcome: 'success' });
    data = await result();
    assert.equal(data.status, 'success');
    assert.equal(data.confirmations, -1);
    assert.equal(data.paymentAmount, '3');
  });

  test('confirm: confirmations climb one block at a time while pending, and the last one makes it a success', async () => {
    const { code, result } = await mintAndFind({ quoteAmount: '3' });
    assertError(await h.simulate(code, { outcome: 'confirm' }), 1017, /simulate pending first/);
    await h.simulate(code, { outcome: 'pending' });
    let data = await result();
    const required = data.transactions[0].requiredConfirms;
    assert.ok(required >= 2, 'the sandbox needs more than one confirmation');
    const seen = [data.transactions[0].confirmations];
    assert.equal(data.confirmations, seen[0]);
    while (data.status === 'pending') {
      assert.equal((await h.simulate(code, { outcome: 'confirm' })).status, 200);
      data = await result();
      seen.push(data.transactions[0].confirmations);
      if (data.status === 'pending') assert.equal(data.confirmations, data.transactions[0].confirmations);
    }
    assert.deepEqual(seen, Array.from({ length: required }, (_, i) => i + 1), 'one more confirmation per call');
    assert.equal(data.status, 'success');
    assert.equal(data.confirmations, -1);
    assert.match(data.transactions[0].blockExplorerUrl, /^https:\/\/.+/);
    assert.equal(data.blockExplorerUrl, data.transactions[0].blockExplorerUrl);
    assertError(await h.simulate(code, { outcome: 'confirm' }), 40021, /already paid/);
  });

  test('fail: failed with a failure code and the amount the customer sent', async () => {
    const full = await mintAndFind({ quoteAmount: '7' });
    await h.simulate(full.code, { outcome: 'fail' });
    let data = await full.result();
    assert.equal(data.status, 'failed');
    assert.equal(data.failureCode, '40020');
    assert.equal(data.failureReason, 'Wrong asset paid');
    assert.equal(data.paymentAmount, '7');

    const wrongAmount = await mintAndFind({ quoteAmount: '7', failedReturnTo: 'https://shop.example/failed' });
    await h.simulate(wrongAmount.code, { outcome: 'fail', paymentAmount: '6.99' });
    data = await wrongAmount.result();
    assert.equal(data.failureCode, '40024');
    assert.equal(data.paymentAmount, '6.99');
    assert.equal(data.returnTo, 'https://shop.example/failed', 'failed answers failedReturnTo');
  });

  test('expire: failed with "Payment overtime"; a partial payment is reported for refund', async () => {
    const unpaid = await mintAndFind();
    await h.simulate(unpaid.code, { outcome: 'expire' });
    let data = await unpaid.result();
    assert.equal(data.status, 'failed');
    assert.equal(data.failureCode, '40000');
    assert.equal(data.failureReason, 'Payment overtime');
    assert.equal(data.paymentAmount, '');

    const partial = await mintAndFind({ quoteAmount: '10' });
    await h.simulate(partial.code, { outcome: 'paid_less', paymentAmount: '2' });
    await h.simulate(partial.code, { outcome: 'expire' });
    data = await partial.result();
    assert.equal(data.status, 'failed');
    assert.equal(data.failureCode, '40000');
    assert.equal(data.paymentAmount, '2');
  });

  test('a paid, failed or expired link cannot be paid again', async () => {
    const paid = await mintAndFind();
    await h.simulate(paid.code, { outcome: 'success' });
    for (const outcome of ['success', 'paid_less', 'pending', 'fail', 'expire']) {
      const again = await h.simulate(paid.code, { outcome });
      assert.equal(again.status, 409, outcome);
      assertError(again, 40021, /already paid/);
    }
    const failed = await mintAndFind();
    await h.simulate(failed.code, { outcome: 'fail' });
    assertError(await h.simulate(failed.code, { outcome: 'success' }), 40021, /already failed/);
    const expired = await mintAndFind();
    await h.simulate(expired.code, { outcome: 'expire' });
    assertError(await h.simulate(expired.code, { outcome: 'success' }), 40000, /expired/);
    assert.equal((await expired.result()).status, 'failed', 'a refused call changes nothing');
  });

  test('a link past its expiredTimestamp fails with "Payment overtime" and refuses payment', async () => {
    const { code, result } = await mintAndFind({ expiredTimestamp: START / 1000 + 60 });
    h.clock.advance(59_000);
    assert.equal((await result()).status, 'unpaid');
    h.clock.advance(1_000);
    const data = await result();
    assert.equal(data.status, 'failed');
    assert.equal(data.failureCode, '40000');
    assertError(await h.simulate(code, { outcome: 'success' }), 40000);
  });

  test('refuses an unknown code with 404 and bad requests with a parameter error', async () => {
    const unknown = await h.simulate(crypto.randomUUID(), { outcome: 'success' });
    assert.equal(unknown.status, 404);
    assertError(unknown, 404);
    const { code } = await mintAndFind();
    assertError(await h.simulate(code, { outcome: 'refund' }), 1017, /outcome must be one of/);
    assertError(await h.simulate(code, {}), 1017, /outcome/);
    assertError(await h.simulate(code, { outcome: 'success', paymentAmount: '-2' }), 1017, /paymentAmount/);
    assertError(await h.simulate(code, { outcome: 'success', quoteAmount: 'free' }), 1017, /quoteAmount/);
    assertError(await h.simulate(code, { outcome: 'success', payeeId: 'no spaces please' }), 1017, /payeeId/);
  });

  test('form posts from the pay page redirect back to it (303), refusals included', async () => {
    const { code, result } = await mintAndFind();
    const post = (fields: Record<string, string>) =>
      fetch(`${h.base}/payments/${code}/simulate`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    let response = await post({ outcome: 'success', quoteAmount: '', quoteAssetId: '', payeeId: '' });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `/sandbox/mixpay/code/${code}`);
    assert.equal((await result()).quoteAmount, '10', 'blank tamper fields change nothing');
    response = await post({ outcome: 'success' });
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.match(location, new RegExp(`^/sandbox/mixpay/code/${code}\\?notice=`));
    const page = await (await fetch(new URL(location, h.base))).text();
    assert.match(page, /already paid/);
  });
});

describe('GET /code/{code}: the hosted pay page', () => {
  let h: Harness;
  before(async () => (h = await startSandbox()));
  after(() => h.close());

  test('shows amount, asset, payee, expiry and status, with five buttons and no script', async () => {
    const code = await h.mintCode({ quoteAmount: '12.34', expiredTimestamp: START / 1000 + 900, remark: 'Blue mug' });
    const response = await fetch(`${h.base}/code/${code}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const page = await response.text();
    assert.match(page, /12\.34 USD/);
    assert.match(page, /USDT/);
    assert.match(page, new RegExp(PAYEE));
    assert.match(page, /2026-01-01T12:15:00Z \(in 900 s\)/);
    assert.match(page, /Waiting for payment/);
    assert.match(page, /Blue mug/);
    for (const outcome of ['success', 'paid_less', 'pending', 'fail', 'expire']) {
      assert.match(page, new RegExp(`name="outcome" value="${outcome}"`), outcome);
    }
    assert.match(page, new RegExp(`action="../payments/${code}/simulate"`));
    assert.doesNotMatch(page, /<script|\son\w+=/i, 'no scripts or inline handlers');
    assert.doesNotMatch(page, /Return to merchant/);
    const css = await fetch(new URL('../pay.css', `${h.base}/code/${code}`));
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  });

  test('escapes everything the merchant sent', async () => {
    const code = await h.mintCode({ remark: '<script>alert(1)</script>"&' });
    const page = await (await fetch(`${h.base}/code/${code}`)).text();
    assert.doesNotMatch(page, /<script>alert/);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;&amp;/);
  });

  test('after success offers "Return to merchant", only for an http(s) returnTo', async () => {
    const good = await h.mintCode({ returnTo: 'https://shop.example/thanks?o=1&x="y"' });
    await h.simulate(good, { outcome: 'success' });
    const page = await (await fetch(`${h.base}/code/${good}`)).text();
    assert.match(page, /<a class="return" href="https:\/\/shop\.example\/thanks\?o=1&amp;x=&quot;y&quot;">Return to merchant<\/a>/);
    assert.match(page, /Paid/);
    assert.doesNotMatch(page, /name="outcome"/, 'no buttons on a paid link');

    const evil = await h.mintCode({ returnTo: 'javascript:alert(1)' });
    await h.simulate(evil, { outcome: 'success' });
    const evilPage = await (await fetch(`${h.base}/code/${evil}`)).text();
    assert.doesNotMatch(evilPage, /Return to merchant|javascript:/);
  });

  test('shows underpayment and failure', async () => {
    const code = await h.mintCode({ quoteAmount: '10' });
    await h.simulate(code, { outcome: 'paid_less', paymentAmount: '4' });
    let page = await (await fetch(`${h.base}/code/${code}`)).text();
    assert.match(page, /Paid 4 of 10/);
    assert.match(page, /name="paymentAmount" inputmode="decimal" value="3"/, 'pay less suggests half of what is due');
    await h.simulate(code, { outcome: 'expire' });
    page = await (await fetch(`${h.base}/code/${code}`)).text();
    assert.match(page, /Failed: Payment overtime \(code 40000\)/);
  });

  test('the sandbox index lists the links minted, newest first', async () => {
    const first = await h.mintCode({ quoteAmount: '1.5' });
    const second = await h.mintCode({ quoteAmount: '2.5' });
    const response = await fetch(h.base);
    assert.equal(response.status, 200);
    const page = await response.text();
    const at = (code: string) => page.indexOf(`href="/sandbox/mixpay/code/${code}"`);
    assert.ok(at(second) > 0 && at(first) > at(second), 'both links, newest first');
    assert.match(page, /href="\/sandbox\/mixpay\/pay\.css"/);
  });

  test('answers 404 for an unknown code', async () => {
    const response = await fetch(`${h.base}/code/${crypto.randomUUID()}`);
    assert.equal(response.status, 404);
    assert.match(await response.text(), /does not exist/);
  });
});

describe('callbacks', () => {
  const SCALE = 0.002;
  let h: Harness;
  before(async () => (h = await startSandbox({ timeScale: SCALE, fakeClock: false })));
  after(() => h.close());

  test('POSTs {orderId, traceId, payeeId} as JSON and stops at {"code":"SUCCESS"}', async () => {
    const receiver = await startReceiver();
    try {
      const orderId = nextOrderId();
      const code = await h.mintCode({ orderId, callbackUrl: receiver.url });
      await h.simulate(code, { outcome: 'success' });
      await waitFor('the success callback', () => receiver.hits.length === 1);
      const traceId = (await h.result({ orderId, payeeId: PAYEE })).body.data.traceId;
      assert.deepEqual(receiver.hits[0]?.body, { orderId, traceId, payeeId: PAYEE });
      assert.match(receiver.hits[0]?.contentType ?? '', /application\/json/);
      await waitFor('the log', async () => (await h.callbacks(code)).deliveries[0]?.status === 'acknowledged');
      await sleep(120);
      assert.equal(receiver.hits.length, 1, 'no retry after SUCCESS, and settle is not subscribed');
      const log = await h.callbacks(code);
      assert.equal(log.callbackUrl, receiver.url);
      assert.deepEqual(log.subscribedEvents, ['success', 'fail']);
      assert.equal(log.deliveries.length, 1);
      assert.equal(log.deliveries[0].event, 'success');
      assert.equal(log.deliveries[0].attempts.length, 1);
      assert.equal(log.deliveries[0].attempts[0].httpStatus, 200);
      assert.equal(log.deliveries[0].attempts[0].outcome, 'acknowledged');
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that fails 4 times gets exactly 5 attempts, spaced 0/15/15/30/180 s x timeScale', async () => {
    const failures = [
      () => new Response('oops', { status: 500 }),
      () => Response.json({ code: 'OK' }),
      () => Response.json({ code: 'success' }),
      () => new Response('<html>fine</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    ];
    const receiver = await startReceiver((hit) => (failures[hit - 1] ?? (() => Response.json({ code: 'SUCCESS' })))());
    try {
      const code = await h.mintCode({ callbackUrl: receiver.url });
      await h.simulate(code, { outcome: 'fail' });
      await waitFor('five attempts', () => receiver.hits.length === 5);
      await sleep(200);
      assert.equal(receiver.hits.length, 5, 'no sixth attempt after SUCCESS');
      const gaps = receiver.hits.slice(1).map((hit, i) => hit.at - (receiver.hits[i]?.at ?? 0));
      const expected = [15, 15, 30, 180].map((s) => s * 1000 * SCALE);
      gaps.forEach((gap, i) => {
        assert.ok(gap >= (expected[i] ?? 0) - 2, `gap ${i + 1} was ${gap.toFixed(1)} ms, expected ${expected[i]} ms`);
        assert.ok(gap < (expected[i] ?? 0) + 250, `gap ${i + 1} was ${gap.toFixed(1)} ms, expected ${expected[i]} ms`);
      });
      const log = await h.callbacks(code);
      const delivery = log.deliveries[0];
      assert.equal(delivery.event, 'fail');
      assert.equal(delivery.status, 'acknowledged');
      assert.deepEqual(
        delivery.attempts.map((a: Json) => [a.attempt, a.httpStatus, a.outcome]),
        [
          [1, 500, 'rejected'],
          [2, 200, 'rejected'],
          [3, 200, 'rejected'],
          [4, 200, 'rejected'],
          [5, 200, 'acknowledged'],
        ],
      );
    } finally {
      await receiver.close();
    }
  });

  test('sends pending, paid_less and settle only when subscribed', async () => {
    const receiver = await startReceiver();
    try {
      const plain = await h.mintCode({ callbackUrl: receiver.url, quoteAmount: '10' });
      await h.simulate(plain, { outcome: 'paid_less', paymentAmount: '1' });
      await h.simulate(plain, { outcome: 'pending' });
      await h.simulate(plain, { outcome: 'success' });
      await waitFor('settlement', async () => (await h.result({ traceId: (await traceOf(plain)) })).body.data.settleStatus === 'success');
      await sleep(50);
      assert.deepEqual((await h.callbacks(plain)).deliveries.map((d: Json) => d.event), ['success']);

      const subscribed = await h.mintCode({ callbackUrl: receiver.url, quoteAmount: '10', callbackEvent: 'paid_less|pending|settle' });
      await h.simulate(subscribed, { outcome: 'paid_less', paymentAmount: '1' });
      await h.simulate(subscribed, { outcome: 'pending' });
      await h.simulate(subscribed, { outcome: 'success' });
      await waitFor('four acknowledged callbacks', async () => {
        const deliveries = (await h.callbacks(subscribed)).deliveries as Json[];
        return deliveries.length === 4 && deliveries.every((d) => d.status === 'acknowledged');
      });
      assert.deepEqual((await h.callbacks(subscribed)).deliveries.map((d: Json) => d.event), ['paid_less', 'pending', 'success', 'settle']);
      const settled = (await h.result({ traceId: await traceOf(subscribed) })).body.data;
      assert.equal(settled.settleStatus, 'success');
      assert.equal(settled.settleAmount, '10');
    } finally {
      await receiver.close();
    }
  });

  test('expiry sends fail; a link without callbackUrl sends nothing', async () => {
    const receiver = await startReceiver();
    try {
      const code = await h.mintCode({ callbackUrl: receiver.url });
      await h.simulate(code, { outcome: 'expire' });
      await waitFor('the fail callback', () => receiver.hits.length === 1);
      assert.equal((await h.callbacks(code)).deliveries[0].event, 'fail');
      const silent = await h.mintCode();
      await h.simulate(silent, { outcome: 'success' });
      assert.deepEqual((await h.callbacks(silent)).deliveries, []);
    } finally {
      await receiver.close();
    }
  });

  test('a receiver that cannot be reached is recorded as unreachable and retried', async () => {
    const gone = await listen(() => new Response('never'));
    const url = `${gone.url}/mixpay/callback`;
    await gone.close();
    const code = await h.mintCode({ callbackUrl: url });
    await h.simulate(code, { outcome: 'success' });
    await waitFor('two attempts', async () => (await h.callbacks(code)).deliveries[0]?.attempts.length >= 2);
    const attempt = (await h.callbacks(code)).deliveries[0].attempts[0];
    assert.equal(attempt.httpStatus, null);
    assert.equal(attempt.outcome, 'unreachable');
    assert.ok(attempt.detail.length > 0);
  });

  async function traceOf(code: string): Promise<string> {
    return (await h.callbacks(code)).deliveries[0]?.payload.traceId ?? '';
  }
});

describe('callback retries end', () => {
  test('after ten attempts the delivery gives up', async () => {
    const h = await startSandbox({ timeScale: 0.0001, fakeClock: false });
    const receiver = await startReceiver(() => new Response('busy', { status: 503 }));
    try {
      const code = await h.mintCode({ callbackUrl: receiver.url });
      await h.simulate(code, { outcome: 'success' });
      await waitFor('the delivery to give up', async () => (await h.callbacks(code)).deliveries[0]?.status === 'gave_up', 15_000);
      assert.equal(receiver.hits.length, 10);
      assert.equal((await h.callbacks(code)).deliveries[0].attempts.length, 10);
    } finally {
      await receiver.close();
      await h.close();
    }
  });

  test('stop() cancels pending retries and leaves no timers', async () => {
    const h = await startSandbox({ timeScale: 0.01, fakeClock: false });
    const receiver = await startReceiver(() => new Response('busy', { status: 503 }));
    try {
      const code = await h.mintCode({ callbackUrl: receiver.url });
      await h.simulate(code, { outcome: 'success' });
      await waitFor('the first attempt', () => receiver.hits.length === 1);
      await waitFor('the log', async () => (await h.callbacks(code)).deliveries[0]?.attempts.length === 1);
      h.sandbox.stop();
      await sleep(15_000 * 0.01 + 100);
      assert.equal(receiver.hits.length, 1, 'the 15 s retry was cancelled');
      assert.equal((await h.callbacks(code)).deliveries[0].status, 'stopped');
    } finally {
      await receiver.close();
      await h.close();
    }
  });
});

describe('rate limit', () => {
  test("on by default at MixPay's 60 a minute", async () => {
    const h = await startSandbox({ rateLimitPerMinute: undefined });
    try {
      const responses = await Promise.all(Array.from({ length: 61 }, () => fetch(`${h.base}/v1/payments_result?traceId=${crypto.randomUUID()}`)));
      assert.equal(responses.filter((r) => r.status === 404).length, 60);
      assert.equal(responses.filter((r) => r.status === 429).length, 1);
      assert.equal(responses[0]?.headers.get('x-ratelimit-limit'), '60');
    } finally {
      await h.close();
    }
  });

  test("'unlimited' turns it off: no headers, no limit", async () => {
    const h = await startSandbox({ rateLimitPerMinute: 'unlimited' });
    try {
      const responses = await Promise.all(Array.from({ length: 70 }, () => fetch(`${h.base}/v1/payments_result?traceId=${crypto.randomUUID()}`)));
      assert.ok(responses.every((r) => r.status === 404));
      assert.equal(responses[0]?.headers.get('x-ratelimit-limit'), null);
    } finally {
      await h.close();
    }
  });

  test('rateLimitPerMinute counts requests per caller and answers 1429 over it, until the minute is over', async () => {
    const h = await startSandbox({ rateLimitPerMinute: 3 });
    try {
      const call = () => fetch(`${h.base}/v1/payments_result?traceId=${crypto.randomUUID()}`);
      for (const remaining of ['2', '1', '0']) {
        const response = await call();
        assert.equal(response.status, 404);
        assert.equal(response.headers.get('x-ratelimit-limit'), '3');
        assert.equal(response.headers.get('x-ratelimit-remaining'), remaining);
      }
      const over = await call();
      assert.equal(over.status, 429);
      assert.equal(over.headers.get('x-ratelimit-remaining'), '0');
      assertError({ status: over.status, body: (await over.json()) as Json }, 1429, /frequency is too high/);
      const page = await fetch(`${h.base}/code/${crypto.randomUUID()}`);
      assert.equal(page.headers.get('x-ratelimit-limit'), null, 'the pay page is not MixPay API');
      h.clock.advance(60_000);
      const fresh = await call();
      assert.equal(fresh.status, 404);
      assert.equal(fresh.headers.get('x-ratelimit-remaining'), '2');
    } finally {
      await h.close();
    }
  });

  test('a bad rateLimitPerMinute or timeScale fails at start-up', () => {
    assert.throws(() => createSandbox({ timeScale: 1, rateLimitPerMinute: 0 }), /rateLimitPerMinute/);
    assert.throws(() => createSandbox({ timeScale: -1 }), /timeScale/);
  });
});
