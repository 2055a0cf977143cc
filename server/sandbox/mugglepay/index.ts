/**
 * A stand-in for the MugglePay API (contracts §5) as an upstream wallet: orders created with the
 * `token` header, read, cancelled and refunded; a hosted invoice page (plain forms, no script);
 * callbacks that echo the order's `token`, retried with back-off until answered `{"status":200}`.
 */
import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';

export interface MugglePaySandboxOptions {
  apiKeys?: string[];
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** First callback retry delay (MugglePay: 1 minute, doubling). */
  callbackRetryMs?: number;
}

export interface MugglePaySandboxOrder {
  order_id: string;
  apiKey: string;
  merchant_order_id: string;
  title: string;
  description: string;
  price_amount: string;
  price_currency: string;
  pay_amount: string;
  pay_currency: string;
  status: 'NEW' | 'PAID' | 'CANCELED' | 'EXPIRED' | 'REFUND_PENDING' | 'REFUNDED';
  callback_url: string;
  cancel_url: string;
  success_url: string;
  token: string;
  created_at: string;
  created_ms: number;
  updated_at: string;
  callbacks: Array<{ status: number | 'error'; at: number }>;
}

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self' http: https:; base-uri 'none'", 'cache-control': 'no-store' };
const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;

export interface MugglePaySandbox {
  app: Hono;
  orders: Map<string, MugglePaySandboxOrder>;
  pay(orderId: string): MugglePaySandboxOrder;
  stop(): void;
}

export function createMugglePaySandbox(options: MugglePaySandboxOptions = {}): MugglePaySandbox {
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const log = options.log ?? (() => {});
  const apiKeys = new Set(options.apiKeys ?? ['dev-mugglepay-api-key']);
  const orders = new Map<string, MugglePaySandboxOrder>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const failure = (c: Context, status: 400 | 401 | 404, error_code: string, error: string) => c.json({ status, error_code, error }, status);
  const view = ({ apiKey: _key, token: _token, callbacks: _callbacks, created_ms: _ms, ...order }: MugglePaySandboxOrder) => order;
  const authed = (c: Context) => apiKeys.has(c.req.header('token') ?? '');

  const callback = (order: MugglePaySandboxOrder, attempt = 1) => {
    if (stopped || !order.callback_url) return;
    const body = JSON.stringify({
      merchant_order_id: order.merchant_order_id, order_id: order.order_id, status: order.status, price_amount: order.price_amount, price_currency: order.price_currency,
      pay_amount: order.pay_amount, pay_currency: order.pay_currency, created_at: order.created_at, created_at_t: order.created_ms, token: order.token, meta: {},
    });
    void (async () => {
      let status: number | 'error' = 'error';
      try {
        const response = await fetchImpl(order.callback_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
        status = response.status;
        const reply = (await response.json().catch(() => ({}))) as { status?: number };
        order.callbacks.push({ status, at: now() });
        if (response.ok && reply.status === 200) return;
      } catch (error) {
        order.callbacks.push({ status, at: now() });
        log(`[mugglepay sandbox] callback to ${order.callback_url} failed: ${(error as Error).message}`);
      }
      if (attempt < 8 && !stopped) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          callback(order, attempt + 1);
        }, (options.callbackRetryMs ?? 60_000) * 2 ** (attempt - 1));
        timers.add(timer);
      }
    })();
  };

  const pay = (orderId: string) => {
    const order = orders.get(orderId);
    if (!order) throw new Error(`no order ${orderId}`);
    if (order.status === 'NEW') {
      order.status = 'PAID';
      order.updated_at = new Date(now()).toISOString();
      callback(order);
    }
    return order;
  };

  const app = new Hono();

  app.post('/v1/orders', async (c) => {
    if (!authed(c)) return failure(c, 401, 'AUTHENTICATION_FAILED', 'Authentication Token is not set or expired.');
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body) return failure(c, 400, 'PARAMETERS_MISSING', 'Missing parameters.');
    const amount = typeof body.price_amount === 'number' ? String(body.price_amount) : body.price_amount;
    if (typeof amount !== 'string' || !AMOUNT.test(amount) || new Big(amount).lte(0) || typeof body.price_currency !== 'string') {
      return failure(c, 400, 'PARAMETERS_MISSING', 'Missing parameters.');
    }
    const at = now();
    const order: MugglePaySandboxOrder = {
      order_id: randomUUID(), apiKey: c.req.header('token')!, merchant_order_id: String(body.merchant_order_id ?? ''), title: String(body.title ?? '').slice(0, 200),
      description: String(body.description ?? '').slice(0, 800), price_amount: new Big(amount).toFixed(), price_currency: body.price_currency,
      pay_amount: new Big(amount).toFixed(), pay_currency: String(body.pay_currency ?? body.price_currency), status: 'NEW',
      callback_url: String(body.callback_url ?? ''), cancel_url: String(body.cancel_url ?? ''), success_url: String(body.success_url ?? ''), token: String(body.token ?? ''),
      created_at: new Date(at).toISOString(), created_ms: at, updated_at: new Date(at).toISOString(), callbacks: [],
    };
    orders.set(order.order_id, order);
    const base = c.req.url.slice(0, c.req.url.indexOf('/v1/orders'));
    return c.json({ status: 201, order: view(order), payment_url: `${base}/invoice/${order.order_id}` }, 201);
  });

  app.get('/v1/orders/:id', (c) => {
    if (!authed(c)) return failure(c, 401, 'AUTHENTICATION_FAILED', 'Authentication Token is not set or expired.');
    const order = orders.get(c.req.param('id'));
    if (!order || order.apiKey !== c.req.header('token')) return failure(c, 404, 'ORDER_NOT_FOUND', 'Order not found.');
    return c.json({ status: 200, order: view(order), invoice: { invoice_id: order.order_id, pay_amount: order.pay_amount, pay_currency: order.pay_currency, status: order.status } });
  });

  app.post('/v1/orders/:id/cancel', (c) => {
    if (!authed(c)) return failure(c, 401, 'AUTHENTICATION_FAILED', 'Authentication Token is not set or expired.');
    const order = orders.get(c.req.param('id'));
    if (!order || order.apiKey !== c.req.header('token')) return failure(c, 404, 'ORDER_NOT_FOUND', 'Order not found.');
    if (order.status !== 'NEW') return failure(c, 400, 'ORDER_CANCEL_FAILED', 'Only NEW orders can be cancelled.');
    order.status = 'CANCELED';
    return c.json({ status: 200, order: view(order) });
  });

  app.post('/v1/orders/:id/refund', (c) => {
    if (!authed(c)) return failure(c, 401, 'AUTHENTICATION_FAILED', 'Authentication Token is not set or expired.');
    const order = orders.get(c.req.param('id'));
    if (!order || order.apiKey !== c.req.header('token')) return failure(c, 404, 'ORDER_NOT_FOUND', 'Order not found.');
    if (order.status !== 'PAID') return failure(c, 400, 'ORDER_REFUND_FAILED', 'Only PAID orders can be refunded.');
    order.status = 'REFUNDED';
    order.updated_at = new Date(now()).toISOString();
    callback(order);
    return c.json({ status: 200, order: view(order) });
  });

  app.get('/invoice/:id', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.html(html`<!doctype html><title>Not found</title><h1>No such invoice</h1>`, 404, PAGE_HEADERS);
    return c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>MugglePay sandbox</title></head><body>
        <p><strong>MugglePay sandbox: no real money moves</strong></p>
        <h1>${order.title || 'Invoice'}: ${order.price_amount} ${order.price_currency}</h1>
        <p>Status <span role="status">${order.status}</span></p>
        ${order.status === 'NEW'
          ? html`<form method="post" action="${order.order_id}/pay"><button type="submit">Pay ${order.pay_amount} ${order.pay_currency}</button></form>
                 <form method="post" action="${order.order_id}/cancel"><button type="submit">Cancel</button></form>`
          : html`<p><a href="${order.success_url}">Back to the shop</a></p>`}
      </body></html>`,
      200,
      PAGE_HEADERS,
    );
  });

  app.post('/invoice/:id/pay', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.text('no such invoice', 404);
    pay(order.order_id);
    return c.redirect(order.success_url || `../${order.order_id}`, 303);
  });

  app.post('/invoice/:id/cancel', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.text('no such invoice', 404);
    if (order.status === 'NEW') order.status = 'CANCELED';
    return c.redirect(order.cancel_url || `../${order.order_id}`, 303);
  });

  app.get('/_sandbox/orders/:id', (c) => {
    const order = orders.get(c.req.param('id'));
    return order ? c.json({ data: order }) : c.json({ error: 'not found' }, 404);
  });

  return {
    app,
    orders,
    pay,
    stop: () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
