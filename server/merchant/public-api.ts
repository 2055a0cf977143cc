/**
 * Endpoints a browser calls: create a checkout for a catalog product (the server sets the price),
 * follow an order's status (JSON with ETag, or Server-Sent Events), and the return redirect.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { MerchantEnv } from './deps.ts';
import { limitBody, MerchantApiError, readJsonObject, validationError } from './api-errors.ts';
import type { MerchantConfig } from './config.ts';
import { checkoutLimit } from './checkout-limit.ts';
import { callerOf } from './caller.ts';
import { OpenCounter } from '../core/address-limits.ts';
import { createOrder } from './create-order.ts';
import { FINAL_STATUSES } from './order-state.ts';
import { findOrder, type Order } from './order-store.ts';
import { createdOrderAnswer, statusEtag, statusView } from './order-view.ts';

export const checkoutSchema = z.object({ product: z.string().min(1).max(100) });

/** Closed without a payment: their customers belong on the cancel page. */
const UNPAID_FINAL: ReadonlySet<string> = new Set(['FAILED', 'EXPIRED', 'CANCELED']);

/** How often an open stream re-reads its order, so changes made by another process still arrive. */
const STREAM_RECHECK_MS = 5_000;
const STREAM_HEARTBEAT_MS = 15_000;

async function requireOrder(c: { get(key: 'deps'): MerchantEnv['Variables']['deps'] }, id: string): Promise<Order> {
  const order = await findOrder(c.get('deps').store.db, id);
  if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
  return order;
}

type PublicApiConfig = Pick<MerchantConfig, 'ALLOWED_ORIGINS' | 'CHECKOUT_PER_MINUTE' | 'TRUST_PROXY' | 'MIXPAY_RESERVED_CALLS'> & Partial<Pick<MerchantConfig, 'SSE_PER_ADDRESS'>>;

/**
 * The browser's routes. Longer than most functions: Hono infers each handler's params and `Env`
 * only when it is written inline after its path, so the four handlers stay inside.
 */
export function publicApi(config: PublicApiConfig, now: () => number = Date.now) {
  const allowedOrigins = config.ALLOWED_ORIGINS;
  const origin = allowedOrigins.trim() === '*' ? '*' : allowedOrigins.split(',').map((o) => o.trim());
  const streams = new OpenCounter(config.SSE_PER_ADDRESS ?? 20);
  const app = new Hono<MerchantEnv>();
  // Retry-After is exposed: the element counts a refused checkout down by it.
  app.use('/checkout', cors({ origin, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['content-type'], exposeHeaders: ['retry-after'] }));
  app.use('/checkout', limitBody);
  app.use('/checkout', checkoutLimit({ perMinute: config.CHECKOUT_PER_MINUTE, trustProxy: config.TRUST_PROXY, now }));
  app.use('/orders/:id/status', cors({ origin, allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['if-none-match'], exposeHeaders: ['etag'] }));
  app.use('/orders/:id/events', cors({ origin, allowMethods: ['GET', 'OPTIONS'] }));

  app.post('/checkout', async (c) => {
    const deps = c.get('deps');
    const body = await readJsonObject(c);
    const parsed = checkoutSchema.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error, body);
    const product = deps.catalog.get(parsed.data.product);
    if (!product) throw new MerchantApiError(404, 'PRODUCT_NOT_FOUND', `no product "${parsed.data.product}" in the catalog`);
    // Anyone may call this: its links leave the budget's reserve to callbacks (call-budget.ts).
    const mixpay = deps.mixpay.reserving?.(config.MIXPAY_RESERVED_CALLS) ?? deps.mixpay;
    const { order } = await createOrder({ ...deps, mixpay }, {
      product_id: product.id,
      title: product.title,
      description: product.description,
      price_amount: product.price_amount,
      price_currency: product.price_currency,
      success_url: product.success_url,
      cancel_url: product.cancel_url,
      callback_url: product.callback_url,
    });
    return c.json(createdOrderAnswer(order, { publicUrl: deps.config.PUBLIC_URL, payeeName: deps.config.MERCHANT_NAME ?? null }, 'public'), 201);
  });

  app.get('/orders/:id/status', async (c) => {
    const order = await requireOrder(c, c.req.param('id'));
    const etag = statusEtag(order);
    c.header('etag', etag);
    c.header('cache-control', 'no-cache');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    return c.json(statusView(order, c.get('deps').config.MERCHANT_NAME ?? null));
  });

  app.get('/orders/:id/events', async (c) => {
    const deps = c.get('deps');
    const first = await requireOrder(c, c.req.param('id'));
    // Each open stream holds a socket and a subscription: one address cannot hold thousands.
    const release = streams.acquire(callerOf(c, config.TRUST_PROXY));
    if (!release) {
      c.header('retry-after', '30');
      throw new MerchantApiError(429, 'TOO_MANY_STREAMS', `this address already follows ${config.SSE_PER_ADDRESS} orders; close one or poll /status`);
    }
    c.header('cache-control', 'no-cache');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let lastVersion = -1;
      let wake: (() => void) | undefined;
      const send = async (order: Order) => {
        if (order.version <= lastVersion) return;
        lastVersion = order.version;
        await stream.writeSSE({ event: 'status', id: String(order.version), data: JSON.stringify(statusView(order, deps.config.MERCHANT_NAME ?? null)) });
      };
      const unsubscribe = deps.bus.subscribe(first.id, () => wake?.());
      stream.onAbort(() => wake?.());
      try {
        await send(first);
        let current: Order | undefined = first;
        let lastBeat = Date.now();
        while (!stream.aborted && current && !FINAL_STATUSES.has(current.status)) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, STREAM_RECHECK_MS).unref();
          });
          wake = undefined;
          if (stream.aborted) break;
          current = await findOrder(deps.store.db, first.id);
          if (current) await send(current);
          if (Date.now() - lastBeat >= STREAM_HEARTBEAT_MS) {
            await stream.write(': keep-alive\n\n');
            lastBeat = Date.now();
          }
        }
      } finally {
        unsubscribe();
        release();
      }
    });
  });

  /** MixPay's returnTo / failedReturnTo land here; we only ever redirect to URLs stored with the order. */
  app.get('/orders/:id/return', async (c) => {
    const order = await requireOrder(c, c.req.param('id'));
    // The query is MixPay's hint (returnTo vs failedReturnTo) and anyone can edit it; an order we
    // know failed, expired or was canceled never lands on the success page, whatever it says.
    const failed = UNPAID_FINAL.has(order.status) || c.req.query('outcome') === 'failed';
    // Without a page of the merchant's, the customer lands on our hosted order page, which shows
    // what happened (receipt, still due, failed) and follows the order live.
    const target = failed ? order.cancel_url : order.success_url;
    const lang = c.req.query('lang');
    return c.redirect(target ?? `/pay/${order.id}${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`, 302);
  });

  return app;
}
