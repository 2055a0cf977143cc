/** MixPayClient against the sandbox over real HTTP, and against servers that misbehave. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { MixPayClient } from '../../server/mixpay/client.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from '../../server/mixpay/errors.ts';
import { isRetryLater, UpstreamRateLimitedError } from '../../server/core/upstream-errors.ts';
import type { OneTimePaymentRequest } from '../../server/mixpay/types.ts';
import { createSandbox, type SandboxApp, type SandboxOptions } from '../../server/sandbox/index.ts';
import { listen, type Listening } from '../support/http.ts';

const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';
const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let seq = 0;
const orderId = () => `client-${process.pid}-${++seq}`;

function request(fields: Partial<OneTimePaymentRequest> = {}): OneTimePaymentRequest {
  return { payeeId: PAYEE, quoteAmount: '10', quoteAssetId: 'usd', settlementAssetId: USDT, orderId: orderId(), ...fields };
}

async function startSandbox(options: Partial<SandboxOptions> = {}) {
  const sandbox: SandboxApp = createSandbox({ timeScale: 0.001, rateLimitPerMinute: 'unlimited', ...options });
  const server = await listen(new Hono().route('/sandbox', sandbox).fetch);
  const base = `${server.url}/sandbox/mixpay`;
  return {
    base,
    client: new MixPayClient({ baseUrl: `${base}/v1/` }),
    simulate: async (code: string, body: Record<string, string>) => {
      const response = await fetch(`${base}/payments/${code}/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(response.status, 200, await response.clone().text());
    },
    close: async () => {
      sandbox.stop();
      await server.close();
    },
  };
}

/** Resolves with the rejection so that its type and fields can be checked. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the call to fail');
}

describe('MixPayClient against the sandbox', () => {
  let s: Awaited<ReturnType<typeof startSandbox>>;
  before(async () => (s = await startSandbox()));
  after(() => s.close());

  test('createOneTimePayment answers the link code', async () => {
    const { code } = await s.client.createOneTimePayment(
      request({
        remark: 'Order 42',
        settlementMemo: 'memo',
        returnTo: 'https://shop.example/done',
        failedReturnTo: '',
        callbackUrl: 'https://shop.example/mixpay/callback',
        callbackEvent: 'success|fail|pending|paid_less|settle',
        expiredTimestamp: Math.floor(Date.now() / 1000) + 900,
        strictMode: true,
      }),
    );
    assert.match(code, UUID);
    const page = await fetch(`${s.base}/code/${code}`);
    assert.equal(page.status, 200, 'the code opens the hosted pay page');
  });

  test('getPaymentResult finds the link by traceId and by orderId + payeeId', async () => {
    const traceId = crypto.randomUUID();
    const id = orderId();
    await s.client.createOneTimePayment(request({ orderId: id, traceId }));
    const byTrace = await s.client.getPaymentResult({ traceId });
    const byOrder = await s.client.getPaymentResult({ orderId: id, payeeId: PAYEE });
    assert.equal(byTrace.status, 'unpaid');
    assert.equal(byTrace.traceId, traceId);
    assert.equal(byOrder.traceId, traceId);
    assert.equal(byTrace.quoteAmount, '10');
    assert.equal(byTrace.failureCode, '0');
    assert.equal(byTrace.confirmations, -1);
  });

  test('asks with=payment by default, and for what it is told', async () => {
    const traceId = crypto.randomUUID();
    await s.client.createOneTimePayment(request({ traceId }));
    assert.deepEqual((await s.client.getPaymentResult({ traceId })).payment, { isMultiPay: false, isFullyPaid: false, totalTransactionsAmount: '0' });
    const bare = await s.client.getPaymentResult({ traceId }, []);
    assert.equal(bare.payment, undefined);
    assert.equal(bare.transactions, undefined);
    const both = await s.client.getPaymentResult({ traceId }, ['payment', 'transactions']);
    assert.ok(both.payment);
    assert.deepEqual(both.transactions, []);
  });

  test('sees each simulated outcome', async () => {
    const cases: Array<[Record<string, string>, (r: Awaited<ReturnType<MixPayClient['getPaymentResult']>>) => void]> = [
      [{ outcome: 'success' }, (r) => (assert.equal(r.status, 'success'), assert.equal(r.paymentAmount, '10'))],
      [{ outcome: 'pending' }, (r) => (assert.equal(r.status, 'pending'), assert.ok(r.confirmations >= 0))],
      [
        { outcome: 'paid_less', paymentAmount: '3' },
        (r) => (assert.equal(r.status, 'pending'), assert.deepEqual(r.payment, { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '3' })),
      ],
      [{ outcome: 'fail' }, (r) => (assert.equal(r.status, 'failed'), assert.notEqual(r.failureCode, '0'), assert.equal(r.paymentAmount, '10'))],
      [{ outcome: 'expire' }, (r) => (assert.equal(r.status, 'failed'), assert.equal(r.failureCode, '40000'))],
      [
        { outcome: 'success', quoteAmount: '0.01', quoteAssetId: 'eur', payeeId: '0a4f6b3e-9d1c-4b8e-8f2a-5c6d7e8f9a0b' },
        (r) => {
          assert.equal(r.status, 'success');
          assert.equal(r.quoteAmount, '0.01');
          assert.equal(r.quoteAssetId, 'eur');
          assert.equal(r.payeeId, '0a4f6b3e-9d1c-4b8e-8f2a-5c6d7e8f9a0b');
        },
      ],
    ];
    for (const [simulate, check] of cases) {
      const traceId = crypto.randomUUID();
      const { code } = await s.client.createOneTimePayment(request({ traceId }));
      await s.simulate(code, simulate);
      check(await s.client.getPaymentResult({ traceId }));
    }
  });

  test('a validation error becomes MixPayApiError with MixPay code and message', async () => {
    const error = await rejection(s.client.createOneTimePayment(request({ orderId: 'bad id' })));
    assert.ok(error instanceof MixPayApiError);
    assert.ok(!(error instanceof MixPayRateLimitError));
    assert.equal(error.code, 1017);
    assert.equal(error.httpStatus, 400);
    assert.match(error.message, /orderId must be 6-36/);

    const callback = await rejection(s.client.createOneTimePayment(request({ callbackUrl: 'http://shop.example/cb' })));
    assert.ok(callback instanceof MixPayApiError);
    assert.match(callback.message, /callbackUrl/);
  });

  test('an unknown payment becomes MixPayApiError 404', async () => {
    const error = await rejection(s.client.getPaymentResult({ traceId: crypto.randomUUID() }));
    assert.ok(error instanceof MixPayApiError);
    assert.equal(error.code, 404);
  });
});

describe('MixPayClient typed errors', () => {
  test('code 1429 over the rate limit becomes MixPayRateLimitError', async () => {
    const s = await startSandbox({ rateLimitPerMinute: 2 });
    try {
      const traceId = crypto.randomUUID();
      await s.client.createOneTimePayment(request({ traceId }));
      await s.client.getPaymentResult({ traceId });
      const error = await rejection(s.client.getPaymentResult({ traceId }));
      assert.ok(error instanceof MixPayRateLimitError);
      // The shared upstream root (issue 8 §3): rate-limited is its own kind, retried later, not a rejection.
      assert.ok(error instanceof UpstreamRateLimitedError && isRetryLater(error), 'a rate-limit error is a retry-later upstream error');
      assert.ok(!(error instanceof MixPayApiError), 'a rate limit is not MixPay rejecting the call');
      assert.equal(error.code, 1429);
      assert.equal(error.httpStatus, 429);
    } finally {
      await s.close();
    }
  });

  test("reads MixPay's x-ratelimit-remaining after every answer, and retry-after on a 1429", async () => {
    const s = await startSandbox({ rateLimitPerMinute: 3 });
    try {
      const seen: number[] = [];
      const client = new MixPayClient({ baseUrl: `${s.base}/v1`, onRateLimit: (state) => seen.push(state.remaining) });
      const state = () => client.rateLimit;
      assert.equal(state(), null);
      const traceId = crypto.randomUUID();
      await client.createOneTimePayment(request({ traceId }));
      assert.deepEqual({ limit: state()?.limit, remaining: state()?.remaining }, { limit: 3, remaining: 2 });
      await client.getPaymentResult({ traceId });
      await client.getPaymentResult({ traceId });
      const error = await rejection(client.getPaymentResult({ traceId }));
      assert.ok(error instanceof MixPayRateLimitError);
      assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 0 && error.retryAfterMs <= 60_000, String(error.retryAfterMs));
      assert.deepEqual(seen, [2, 1, 0, 0]);
      assert.equal(state()?.remaining, 0);
    } finally {
      await s.close();
    }
  });

  /** A server that answers every request with `respond`. */
  async function withServer(respond: () => Response | Promise<Response>, run: (client: MixPayClient, server: Listening) => Promise<void>, timeoutMs?: number) {
    const server = await listen(respond);
    try {
      await run(new MixPayClient({ baseUrl: `${server.url}/v1`, ...(timeoutMs ? { timeoutMs } : {}) }), server);
    } finally {
      await server.close();
    }
  }

  test('1429 in an HTTP 200 envelope is a rate-limit error too', async () => {
    await withServer(
      () => Response.json({ code: 1429, success: false, message: 'Your request frequency is too high', data: [] }),
      async (client) => assert.ok((await rejection(client.getPaymentResult({ traceId: crypto.randomUUID() }))) instanceof MixPayRateLimitError),
    );
  });

  test('a server that is down becomes MixPayUnavailableError', async () => {
    const gone = await listen(() => new Response('never'));
    const baseUrl = `${gone.url}/v1`;
    await gone.close();
    const error = await rejection(new MixPayClient({ baseUrl }).createOneTimePayment(request()));
    assert.ok(error instanceof MixPayUnavailableError);
  });

  const broken: Array<[string, () => Response]> = [
    ['an HTML 500 page', () => new Response('<html>Internal Server Error</html>', { status: 500, headers: { 'content-type': 'text/html' } })],
    ['an HTML 200 page (a captive portal, a proxy)', () => new Response('<html>Welcome</html>', { status: 200, headers: { 'content-type': 'text/html' } })],
    ['a 502 with an empty body', () => new Response(null, { status: 502 })],
    ['JSON outside the envelope', () => Response.json({ error: 'Bad Gateway' }, { status: 200 })],
    ['an error envelope with HTTP 503', () => Response.json({ code: -1, success: false, message: 'Server error, please try again later.', data: [] }, { status: 503 })],
    ['a success envelope whose data is null', () => Response.json({ code: 0, success: true, message: '', data: null })],
    ['a success envelope whose data is an empty array', () => Response.json({ code: 0, success: true, message: '', data: [] })],
    ['a success envelope whose data is a string', () => Response.json({ code: 0, success: true, message: '', data: 'ok' })],
  ];
  for (const [name, respond] of broken) {
    test(`${name} becomes MixPayUnavailableError`, async () => {
      await withServer(respond, async (client) => {
        assert.ok((await rejection(client.getPaymentResult({ traceId: crypto.randomUUID() }))) instanceof MixPayUnavailableError);
        assert.ok((await rejection(client.createOneTimePayment(request()))) instanceof MixPayUnavailableError);
      });
    });
  }

  test('a minted link without a usable code is not a link', async () => {
    for (const data of [{}, { code: null }, { code: '' }, { code: '../../evil' }, { code: 42 }]) {
      await withServer(
        () => Response.json({ code: 0, success: true, message: '', data }),
        async (client) => {
          assert.ok((await rejection(client.createOneTimePayment(request()))) instanceof MixPayUnavailableError, JSON.stringify(data));
        },
      );
    }
  });

  test('a server that does not answer in time becomes MixPayUnavailableError', async () => {
    await withServer(
      () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({ code: 0, success: true, message: '', data: {} })), 2000).unref()),
      async (client) => {
        const started = Date.now();
        const error = await rejection(client.getPaymentResult({ traceId: crypto.randomUUID() }));
        assert.ok(error instanceof MixPayUnavailableError);
        assert.ok(Date.now() - started < 1500, 'gave up at its timeout');
      },
      100,
    );
  });
});
