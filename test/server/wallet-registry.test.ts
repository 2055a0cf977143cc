/**
 * The wallet registry (issue 8 §4): a third wallet, written here and registered in this test
 * alone (its client, its sandbox and one entry, nothing else), is offered by the development
 * broker and its sandbox checkout page, and a broker order runs through it end to end: limits →
 * create_order → the customer pays in the fake wallet → the broker transfers exactly `amount` to
 * MixPay's bot over the Mixin sandbox → MixPay refunds → the fake wallet refunds the customer.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { backends, type TestStore } from '../support/stores.ts';
import { startBrokerWorkers } from '../../server/broker/index.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { DEV_ASSETS, DEV_MIXPAY_BOT_ID, brokerDevelopmentConfig, parseBrokerConfig } from '../../server/broker/config.ts';
import { defineWallet, registerWallet, walletEntries } from '../../server/wallets/registry.ts';
import {
  fetchWithTimeout,
  WalletApiError,
  WebhookRejectedError,
  type WalletAdapter,
  type WalletEvent,
  type WalletOrder,
  type WalletOrderRequest,
  type WalletPaymentState,
  type WalletPaymentStatus,
  type WalletRefundRequest,
} from '../../server/wallets/types.ts';
import { eventually, startBrokerWorld, type BrokerWorld } from './broker-world.ts';

// ---- 1. The client: the only module that speaks FakePay's API. ----

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

class FakePayClient implements WalletAdapter {
  readonly kind = 'fakepay';
  constructor(private readonly options: { baseUrl: string; apiKey: string; webhookSecret: string; fetch: typeof fetch }) {}

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, headers: { 'x-api-key': this.options.apiKey, 'content-type': 'application/json' } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const { status, text } = await fetchWithTimeout('fakepay', this.options.fetch, `${this.options.baseUrl}${path}`, init, 5000);
    const parsed = JSON.parse(text) as T & { error?: string };
    if (status >= 400) throw new WalletApiError('fakepay', String(status), parsed.error ?? 'failed');
    return parsed;
  }

  async createOrder(request: WalletOrderRequest): Promise<WalletOrder> {
    const { id, pay_url } = await this.call<{ id: string; pay_url: string }>('POST', '/orders', {
      trace_id: request.traceId, amount: request.amount, currency: request.currency, return_url: request.returnUrl, webhook_url: request.webhookUrl,
    });
    return { upstreamId: id, checkoutUrl: pay_url, deepLink: `fakepay://pay/${id}`, universalUrl: '' };
  }
  async queryOrder(upstreamId: string): Promise<WalletPaymentStatus> {
    return { state: (await this.call<{ state: WalletPaymentState }>('GET', `/orders/${upstreamId}`)).state };
  }
  async refund(request: WalletRefundRequest): Promise<void> {
    await this.call('POST', `/orders/${request.upstreamId}/refund`, { amount: request.amount, refund_id: request.refundRequestId });
  }
  async close(upstreamId: string): Promise<WalletPaymentState> {
    return (await this.call<{ state: WalletPaymentState }>('POST', `/orders/${upstreamId}/close`, {})).state;
  }
  async verifyWebhook(headers: Headers, rawBody: string): Promise<WalletEvent> {
    const given = Buffer.from(headers.get('x-fakepay-signature') ?? '');
    const expected = Buffer.from(sign(this.options.webhookSecret, rawBody));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new WebhookRejectedError('x-fakepay-signature does not match');
    const body = JSON.parse(rawBody) as { id: string; trace_id: string; state: WalletPaymentState };
    return { traceId: body.trace_id, upstreamId: body.id, state: body.state };
  }
  webhookAck(): unknown {
    return { ok: true };
  }
}

// ---- 2. The sandbox: FakePay's side of the same contract, with a pay page. ----

interface FakePayOrder {
  id: string;
  trace_id: string;
  amount: string;
  return_url: string;
  webhook_url: string;
  state: WalletPaymentState;
  refunds: string[];
}

const DEV_KEY = 'dev-fakepay-key';
const DEV_SECRET = 'dev-fakepay-webhook-secret';

function createFakePaySandbox(context: { fetch?: typeof fetch }) {
  const orders = new Map<string, FakePayOrder>();
  const notify = (order: FakePayOrder) => {
    const body = JSON.stringify({ id: order.id, trace_id: order.trace_id, state: order.state });
    void (context.fetch ?? fetch)(order.webhook_url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-fakepay-signature': sign(DEV_SECRET, body) }, body }).catch(() => {});
  };
  const app = new Hono()
    .post('/orders', async (c) => {
      if (c.req.header('x-api-key') !== DEV_KEY) return c.json({ error: 'bad key' }, 401);
      const body = (await c.req.json()) as { trace_id: string; amount: string; return_url: string; webhook_url: string };
      const order: FakePayOrder = { id: randomUUID(), trace_id: body.trace_id, amount: body.amount, return_url: body.return_url, webhook_url: body.webhook_url, state: 'pending', refunds: [] };
      orders.set(order.id, order);
      return c.json({ id: order.id, pay_url: `${c.req.url.replace(/\/orders$/, '')}/pay/${order.id}` });
    })
    .get('/orders/:id', (c) => {
      const order = orders.get(c.req.param('id'));
      return order ? c.json({ state: order.state }) : c.json({ error: 'not found' }, 404);
    })
    .post('/orders/:id/close', (c) => {
      const order = orders.get(c.req.param('id'));
      if (!order) return c.json({ error: 'not found' }, 404);
      if (order.state === 'pending') order.state = 'closed';
      return c.json({ state: order.state });
    })
    .post('/orders/:id/refund', async (c) => {
      const order = orders.get(c.req.param('id'));
      if (!order || order.state !== 'paid') return c.json({ error: 'not refundable' }, 400);
      order.refunds.push(((await c.req.json()) as { amount: string }).amount);
      order.state = 'refunded';
      return c.json({ state: order.state });
    })
    .get('/pay/:id', (c) => c.html(`<form method="post" action="${c.req.param('id')}/pay"><button>Pay</button></form>`))
    .post('/pay/:id/pay', (c) => {
      const order = orders.get(c.req.param('id'));
      if (!order) return c.text('no such order', 404);
      if (order.state === 'pending') {
        order.state = 'paid';
        notify(order);
      }
      return c.redirect(order.return_url, 303);
    });
  return { app, orders, stop: () => {} };
}

// ---- 3. The one registry entry. ----

let fakePaySandbox: ReturnType<typeof createFakePaySandbox> | undefined;

const fakePay = defineWallet({
  kind: 'fakepay',
  settings: z.object({ base_url: z.string().url(), api_key: z.string().min(1), webhook_secret: z.string().min(16) }),
  createClient: (s, { fetch = globalThis.fetch }) => new FakePayClient({ baseUrl: s.base_url, apiKey: s.api_key, webhookSecret: s.webhook_secret, fetch }),
  sandbox: {
    path: 'fakepay',
    create: (context) => (fakePaySandbox = createFakePaySandbox(context)),
    developmentSettings: (baseUrl) => ({ base_url: baseUrl, api_key: DEV_KEY, webhook_secret: DEV_SECRET }),
  },
});

const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';
const stores = await backends();

describe('wallet registry', () => {
  let unregister: () => void;
  before(() => (unregister = registerWallet(fakePay)));
  after(() => unregister());

  test('a registered kind is configurable, checked by its own schema, and offered by the development broker', () => {
    assert.deepEqual(walletEntries().map((e) => e.kind), ['binance', 'mugglepay', 'fakepay']);
    const dev = brokerDevelopmentConfig('http://localhost:8787');
    assert.equal(dev.wallets.fakepay?.base_url, 'http://localhost:8787/sandbox/fakepay');
    const raw = JSON.parse(JSON.stringify(dev));
    raw.wallets.fakepay.webhook_secret = 'short';
    assert.throws(() => parseBrokerConfig(raw), /wallets\.fakepay\.webhook_secret/);
    assert.throws(() => registerWallet(fakePay), /already registered/);
  });

  for (const backend of stores) {
    describe(`a broker order through the fake wallet (${backend.name})`, () => {
      let store: TestStore;
      let world: BrokerWorld;
      let workers: { stop(): Promise<void> };

      before(async () => {
        store = await backend.create();
        world = await startBrokerWorld(store);
        workers = startBrokerWorkers(world.deps);
        await eventually(() => store.db.selectFrom('broker_balances').selectAll().executeTakeFirst(), 'the first balance sync');
      });
      after(async () => {
        await workers.stop();
        await world.close();
        await store.dispose();
      });

      test('limits → create_order → paid in the fake wallet → MixPay gets exactly amount over Mixin → refund', async () => {
        const sandbox = fakePaySandbox!;
        assert.ok(world.sandboxes.has('fakepay'), 'the world mounted the registered sandbox');
        const range = (await (await fetch(`${world.url}/mixpay/assets/range?payee_id=${PAYEE}&wallet=fakepay`)).json()) as { code: number; data: Array<{ asset_id: string }> };
        assert.equal(range.code, 0);
        assert.deepEqual(range.data.map((a) => a.asset_id), [DEV_ASSETS.usdt, DEV_ASSETS.btc]);
        assert.match(await (await fetch(`${world.url}/sandbox/mixpay-checkout?wallet=binance`)).text(), /<option value="fakepay"/);

        const trace_id = randomUUID();
        const memo = Buffer.from(`PM|${randomUUID()}|`).toString('base64');
        const fields = {
          payee_id: PAYEE, wallet: 'fakepay', asset_id: DEV_ASSETS.usdt, amount: '3.21', trace_id, memo,
          expired_at: String(Math.floor(Date.now() / 1000) + 900), return_url: 'https://mixpay.me/pay/done', opponent_id: DEV_MIXPAY_BOT_ID,
        };
        const created = (await (await fetch(`${world.url}/mixpay/create_order`, { method: 'POST', body: new URLSearchParams(fields) })).json()) as { code: number; message: string; data: { checkout_url: string; deep_link: string } };
        assert.equal(created.code, 0, created.message);
        assert.match(created.data.deep_link, /^fakepay:\/\/pay\//);

        // The customer pays on the fake wallet's page and is sent home through the broker's return.
        const paid = await fetch(`${created.data.checkout_url}/pay`, { method: 'POST', redirect: 'manual' });
        assert.equal(paid.status, 303);
        const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
        assert.equal(back.headers.get('location'), 'https://mixpay.me/pay/done');

        const sent = await eventually(() => {
          const list = world.mixin.transfers({ trace_id });
          return list.length ? list : null;
        }, 'the settlement transfer to MixPay');
        await eventually(async () => (await findOrder(store.db, trace_id))?.status === 'SETTLED', 'the order to settle');
        assert.equal(sent.length, 1);
        assert.equal(sent[0]!.amount, '-3.21');
        assert.equal(sent[0]!.opponent_id, DEV_MIXPAY_BOT_ID);
        assert.equal(sent[0]!.memo, memo);
        const order = (await findOrder(store.db, trace_id))!;
        assert.equal(order.pay_amount, '3.2421');
        assert.equal(sandbox.orders.get(order.upstream_id!)?.amount, '3.2421');

        world.mixin.refund(trace_id, '40000');
        await eventually(async () => (await findOrder(store.db, trace_id))?.status === 'REFUNDED', 'the customer refund');
        assert.deepEqual(sandbox.orders.get(order.upstream_id!)?.refunds, ['3.2421']);
        assert.equal(world.mixin.transfers({ trace_id }).length, 1);
      });
    });
  }
});
