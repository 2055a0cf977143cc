/**
 * A stand-in for the Binance Pay merchant API (contracts §4): signed requests are verified,
 * orders created (v3), queried and refunded; a hosted pay page (plain forms, no script) lets a
 * customer pay; webhooks are signed with the sandbox's RSA key, whose public half is served by
 * `/binancepay/openapi/certificates`.
 */
import { createHmac, createSign, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';

export interface BinanceMerchant {
  apiKey: string;
  secretKey: string;
}

export interface BinanceSandboxOptions {
  merchants?: BinanceMerchant[];
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Delay between webhook attempts (Binance retries up to 6 times). */
  webhookRetryMs?: number;
}

export interface BinanceSandboxOrder {
  prepayId: string;
  merchant: string;
  merchantTradeNo: string;
  orderAmount: string;
  currency: string;
  status: 'INITIAL' | 'PAID' | 'CANCELED' | 'EXPIRED' | 'REFUNDED' | 'FULL_REFUNDED';
  returnUrl: string;
  cancelUrl: string;
  webhookUrl: string;
  expireTime: number;
  transactTime?: number;
  refunds: Array<{ refundRequestId: string; refundAmount: string }>;
  webhooks: Array<{ status: number | 'error'; at: number }>;
}

const CERT_SERIAL = 'sandbox-cert-1';
const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self' http: https:; base-uri 'none'", 'cache-control': 'no-store' };
const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;

export interface BinanceSandbox {
  app: Hono;
  orders: Map<string, BinanceSandboxOrder>;
  /** Pays an order as the customer would on the hosted page. */
  pay(prepayId: string): Promise<BinanceSandboxOrder>;
  stop(): void;
}

export function createBinanceSandbox(options: BinanceSandboxOptions = {}): BinanceSandbox {
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const log = options.log ?? (() => {});
  const merchants = new Map((options.merchants ?? [{ apiKey: 'dev-binance-api-key', secretKey: 'dev-binance-secret-key' }]).map((m) => [m.apiKey, m]));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certPublic = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const orders = new Map<string, BinanceSandboxOrder>();
  const byTradeNo = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const answer = (c: Context, data: unknown) => c.json({ status: 'SUCCESS', code: '000000', data, errorMessage: '' });
  const failure = (c: Context, status: 400 | 401 | 404, code: string, message: string) => c.json({ status: 'FAIL', code, errorMessage: message }, status);

  /** Checks the request signature: HMAC-SHA512 over `timestamp\nnonce\nbody\n`, uppercase hex. */
  const authenticate = async (c: Context): Promise<{ merchant: BinanceMerchant; body: string } | Response> => {
    const timestamp = c.req.header('BinancePay-Timestamp') ?? '';
    const nonce = c.req.header('BinancePay-Nonce') ?? '';
    const signature = c.req.header('BinancePay-Signature') ?? '';
    const merchant = merchants.get(c.req.header('BinancePay-Certificate-SN') ?? '');
    const body = await c.req.text();
    if (!merchant) return failure(c, 401, '400002', 'Signature for this request is not valid: unknown BinancePay-Certificate-SN');
    if (!/^\d+$/.test(timestamp) || Math.abs(now() - Number(timestamp)) > 60_000) return failure(c, 401, '400002', 'Timestamp for this request is outside of the recvWindow');
    if (!/^[A-Za-z]{32}$/.test(nonce)) return failure(c, 401, '400002', 'BinancePay-Nonce must be 32 letters');
    const expected = createHmac('sha512', merchant.secretKey).update(`${timestamp}\n${nonce}\n${body}\n`).digest('hex').toUpperCase();
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return failure(c, 401, '400002', 'Signature for this request is not valid.');
    return { merchant, body };
  };

  const baseOf = (c: Context, marker: string) => {
    const url = c.req.url;
    return url.slice(0, url.indexOf(marker));
  };

  /** Sends PAY notifications signed with the sandbox key, retrying up to 6 times. */
  const notify = (order: BinanceSandboxOrder, bizStatus: 'PAY_SUCCESS' | 'PAY_CLOSED', attempt = 1) => {
    if (stopped || !order.webhookUrl) return;
    const data = JSON.stringify({ merchantTradeNo: order.merchantTradeNo, productType: 'Food', productName: 'MixPay payment', transactTime: order.transactTime, tradeType: 'WEB', totalFee: Number(order.orderAmount), currency: order.currency, transactionId: `T${order.prepayId}` });
    // bizId is a 64-bit number that JS cannot hold exactly: written raw, as Binance does, with bizIdStr beside it.
    const body = `{"bizType":"PAY","bizId":${order.prepayId},"bizIdStr":"${order.prepayId}","bizStatus":"${bizStatus}","data":${JSON.stringify(data)}}`;
    const timestamp = String(now());
    const nonce = Array.from(randomBytes(32), (x) => 'abcdefghijklmnopqrstuvwxyz'[x % 26]).join('');
    const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(privateKey, 'base64');
    void (async () => {
      let status: number | 'error' = 'error';
      try {
        const response = await fetchImpl(order.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'BinancePay-Timestamp': timestamp, 'BinancePay-Nonce': nonce, 'BinancePay-Signature': signature, 'BinancePay-Certificate-SN': CERT_SERIAL },
          body,
          signal: AbortSignal.timeout(5000),
        });
        status = response.status;
        const reply = (await response.json().catch(() => ({}))) as { returnCode?: string };
        if (response.ok && reply.returnCode === 'SUCCESS') {
          order.webhooks.push({ status, at: now() });
          return;
        }
      } catch (error) {
        log(`[binance sandbox] webhook to ${order.webhookUrl} failed: ${(error as Error).message}`);
      }
      order.webhooks.push({ status, at: now() });
      if (attempt < 6 && !stopped) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          notify(order, bizStatus, attempt + 1);
        }, options.webhookRetryMs ?? 5000);
        timers.add(timer);
      }
    })();
  };

  const pay = async (prepayId: string) => {
    const order = orders.get(prepayId);
    if (!order) throw new Error(`no order ${prepayId}`);
    if (order.status === 'INITIAL') {
      order.status = 'PAID';
      order.transactTime = now();
      notify(order, 'PAY_SUCCESS');
    }
    return order;
  };

  const app = new Hono();

  app.post('/binancepay/openapi/v3/order', async (c) => {
    const auth = await authenticate(c);
    if (auth instanceof Response) return auth;
    let request: Record<string, any>;
    try {
      request = JSON.parse(auth.body);
    } catch {
      return failure(c, 400, '400000', 'The request body is not JSON');
    }
    const amountText = typeof request.orderAmount === 'number' ? auth.body.match(/"orderAmount":([0-9.]+)/)?.[1] : request.orderAmount;
    if (typeof request.merchantTradeNo !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(request.merchantTradeNo)) return failure(c, 400, '400201', 'merchantTradeNo is invalid or duplicated');
    if (typeof amountText !== 'string' || !AMOUNT.test(amountText) || new Big(amountText).lte(0)) return failure(c, 400, '400000', 'orderAmount is invalid');
    if (typeof request.currency !== 'string' || !request.currency) return failure(c, 400, '400000', 'currency is required');
    if (!['APP', 'WEB', 'WAP', 'MINI_PROGRAM', 'OTHERS'].includes(request.env?.terminalType)) return failure(c, 400, '400000', 'env.terminalType is invalid');
    const expireTime = typeof request.orderExpireTime === 'number' ? request.orderExpireTime : now() + 3600_000;
    if (expireTime > now() + 3600_000 + 60_000) return failure(c, 400, '400000', 'orderExpireTime must be within one hour');
    const tradeKey = `${auth.merchant.apiKey}:${request.merchantTradeNo}`;
    const known = byTradeNo.get(tradeKey);
    const base = baseOf(c, '/binancepay/openapi');
    const links = (id: string) => ({
      prepayId: id,
      terminalType: request.env.terminalType,
      expireTime,
      qrcodeLink: `${base}/qr/${id}.png`,
      qrContent: `${base}/pay/${id}`,
      checkoutUrl: `${base}/pay/${id}`,
      deeplink: `bnc://app.binance.com/payment/secpay?tempToken=${id}`,
      universalUrl: `${base}/pay/${id}?app=1`,
    });
    if (known) {
      // Unconfirmed: Binance refuses a repeated merchantTradeNo; the sandbox returns the same order
      // when every field matches, so a broker retrying a lost answer can be tried by hand.
      const order = orders.get(known)!;
      if (!new Big(order.orderAmount).eq(amountText) || order.currency !== request.currency) return failure(c, 400, '400201', 'merchantTradeNo is invalid or duplicated');
      return answer(c, links(order.prepayId));
    }
    const prepayId = `${BigInt(now()) * 1000n + BigInt(orders.size % 1000)}${Math.floor(Math.random() * 1000).toString().padStart(3, '0')}`;
    orders.set(prepayId, {
      prepayId, merchant: auth.merchant.apiKey, merchantTradeNo: request.merchantTradeNo, orderAmount: new Big(amountText).toFixed(), currency: request.currency,
      status: 'INITIAL', returnUrl: String(request.returnUrl ?? ''), cancelUrl: String(request.cancelUrl ?? ''), webhookUrl: String(request.webhookUrl ?? ''),
      expireTime, refunds: [], webhooks: [],
    });
    byTradeNo.set(tradeKey, prepayId);
    return answer(c, links(prepayId));
  });

  app.post('/binancepay/openapi/v2/order/query', async (c) => {
    const auth = await authenticate(c);
    if (auth instanceof Response) return auth;
    const request = JSON.parse(auth.body || '{}') as { prepayId?: string; merchantTradeNo?: string };
    const id = request.prepayId ?? byTradeNo.get(`${auth.merchant.apiKey}:${request.merchantTradeNo}`);
    const order = id ? orders.get(id) : undefined;
    if (!order || order.merchant !== auth.merchant.apiKey) return failure(c, 404, '400202', 'Order not found.');
    if (order.status === 'INITIAL' && order.expireTime < now()) order.status = 'EXPIRED';
    return answer(c, { merchantId: 1, prepayId: order.prepayId, merchantTradeNo: order.merchantTradeNo, status: order.status, currency: order.currency, orderAmount: order.orderAmount, transactTime: order.transactTime, createTime: now() });
  });

  app.post('/binancepay/openapi/v3/order/refund', async (c) => {
    const auth = await authenticate(c);
    if (auth instanceof Response) return auth;
    const request = JSON.parse(auth.body || '{}') as { refundRequestId?: string; prepayId?: string };
    const amountText = auth.body.match(/"refundAmount":"?([0-9.]+)/)?.[1];
    const order = request.prepayId ? orders.get(request.prepayId) : undefined;
    if (!order || order.merchant !== auth.merchant.apiKey) return failure(c, 404, '400202', 'Order not found.');
    if (!request.refundRequestId || !amountText || !AMOUNT.test(amountText)) return failure(c, 400, '400000', 'refundRequestId and refundAmount are required');
    const earlier = order.refunds.find((r) => r.refundRequestId === request.refundRequestId);
    if (!earlier) {
      if (order.status !== 'PAID') return failure(c, 400, '400203', `Order status ${order.status} does not allow a refund.`);
      const refunded = order.refunds.reduce((sum, r) => sum.plus(r.refundAmount), new Big(0));
      if (refunded.plus(amountText).gt(order.orderAmount)) return failure(c, 400, '400204', 'Refund amount exceeds the order amount.');
      order.refunds.push({ refundRequestId: request.refundRequestId, refundAmount: new Big(amountText).toFixed() });
      if (refunded.plus(amountText).eq(order.orderAmount)) order.status = 'FULL_REFUNDED';
    }
    return answer(c, { refundRequestId: request.refundRequestId, prepayId: order.prepayId, orderAmount: order.orderAmount, refundedAmount: amountText, refundFee: '0', remainingAttempts: 9, payerOpenId: 'sandbox-payer', duplicateRequest: earlier ? 'Y' : 'N' });
  });

  app.post('/binancepay/openapi/certificates', async (c) => {
    const auth = await authenticate(c);
    if (auth instanceof Response) return auth;
    return answer(c, [{ certSerial: CERT_SERIAL, certPublic }]);
  });

  // ---- the hosted pay page (what checkoutUrl opens) ----
  app.get('/pay/:id', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.html(html`<!doctype html><title>Not found</title><h1>No such Binance Pay order</h1>`, 404, PAGE_HEADERS);
    if (order.status === 'INITIAL' && order.expireTime < now()) order.status = 'EXPIRED';
    const open = order.status === 'INITIAL';
    return c.html(
      html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Binance Pay sandbox</title></head><body>
        <p><strong>Binance Pay sandbox: no real money moves</strong></p>
        <h1>Pay ${order.orderAmount} ${order.currency}</h1>
        <p>Order ${order.merchantTradeNo} — status <span role="status">${order.status}</span></p>
        ${open
          ? html`<form method="post" action="${order.prepayId}/pay"><button type="submit">Pay ${order.orderAmount} ${order.currency}</button></form>
                 <form method="post" action="${order.prepayId}/cancel"><button type="submit">Cancel</button></form>`
          : html`<p><a href="${order.returnUrl}">Back to the shop</a></p>`}
      </body></html>`,
      200,
      PAGE_HEADERS,
    );
  });

  app.post('/pay/:id/pay', async (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.text('no such order', 404);
    if (order.status === 'INITIAL' && order.expireTime < now()) order.status = 'EXPIRED';
    if (order.status !== 'INITIAL' && order.status !== 'PAID') return c.redirect(`../${order.prepayId}`, 303);
    await pay(order.prepayId);
    return c.redirect(order.returnUrl || `../${order.prepayId}`, 303);
  });

  app.post('/pay/:id/cancel', (c) => {
    const order = orders.get(c.req.param('id'));
    if (!order) return c.text('no such order', 404);
    if (order.status === 'INITIAL') {
      order.status = 'CANCELED';
      notify(order, 'PAY_CLOSED');
    }
    return c.redirect(order.cancelUrl || `../${order.prepayId}`, 303);
  });

  /** Test and operator view of an order, refunds and webhook attempts included. */
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
