/**
 * Endpoints a browser calls: create a checkout for a catalog product (the server sets the price),
 * follow an order's status (JSON with ETag, or Server-Sent Events), and the return redirect.
 */
import { Hono, type Context } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { cors } from 'hono/cors';
import { z } from 'zod';
import type { MerchantEnv } from './deps.ts';
import { limitBody, MerchantApiError, readJsonObject, validationError } from './api-errors.ts';
import type { MerchantConfig } from './config.ts';
import { checkoutLimit } from './checkout-limit.ts';
import { allowedOriginsOf, corsHeaders } from './cors-headers.ts';
import { callerOf } from '../core/caller.ts';
import { nodeResponse, requestHeader, responseHeader } from '../core/node-headers.ts';
import { OpenCounter } from '../core/address-limits.ts';
import { checkedReturnTo, createOrder } from './create-order.ts';
import { findOrder, type Order } from './order-store.ts';
import { createdOrderAnswer } from './order-view.ts';
import { statusAnswer, statusReadsOf } from './status-reads.ts';
import { STATUS_CACHE_CONTROL, STATUS_CONTENT_TYPE, STATUS_PATH, statusCors } from './status-route.ts';
import type { StatusMessage } from './status-feed.ts';
import { encodeFrame, eventStream } from './event-stream.ts';

export const checkoutSchema = z.object({
  product: z.string().min(1).max(100),
  // Not refused when wrong: a shop's own address must never cost the customer the purchase.
  return_to: z.unknown().optional().describe('The page the checkout started from (the element sends its own URL): kept for the order page\'s "Back to the shop" when it is an http(s) URL on an origin in ALLOWED_ORIGINS, else ignored'),
});

/** Closed without a payment: their customers belong on the cancel page. */
const UNPAID_FINAL: ReadonlySet<string> = new Set(['FAILED', 'EXPIRED', 'CANCELED']);

/** Sent to every open stream when the server stops; `retry` asks the browser to come back soon. */
const HEARTBEAT_FRAME = encodeFrame(': keep-alive\n\n');
const SHUTDOWN_FRAME = 'event: closing\nretry: 2000\ndata: {"reason":"server shutting down; reconnect"}\n\n';

/**
 * Not modified, written straight to Node's response when at hand: Hono would build a web
 * `Response` for it and node-server read that back, which cost a 304 as much as a 200 with its
 * body. The request log and the metrics read the status Node sent (core/node-headers.ts).
 */
function notModified(c: Context) {
  const outgoing = nodeResponse(c);
  if (!outgoing) return c.body(null, 304);
  outgoing.writeHead(304).end();
  return RESPONSE_ALREADY_SENT;
}

const orderNotFound = () => new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');

async function requireOrder(c: { get(key: 'deps'): MerchantEnv['Variables']['deps'] }, id: string): Promise<Order> {
  const order = await findOrder(c.get('deps').store.db, id);
  if (!order) throw orderNotFound();
  return order;
}

type PublicApiConfig = Pick<MerchantConfig, 'ALLOWED_ORIGINS' | 'CHECKOUT_PER_MINUTE' | 'TRUST_PROXY' | 'MIXPAY_RESERVED_CALLS'> & Partial<Pick<MerchantConfig, 'SSE_PER_ADDRESS'>>;

/**
 * The browser's routes. Longer than most functions: Hono infers each handler's params and `Env`
 * only when it is written inline after its path, so the four handlers stay inside.
 */
export function publicApi(config: PublicApiConfig, now: () => number = Date.now) {
  const origin = allowedOriginsOf(config.ALLOWED_ORIGINS);
  const streams = new OpenCounter(config.SSE_PER_ADDRESS ?? 20);
  const app = new Hono<MerchantEnv>();
  // Retry-After is exposed: the element counts a refused checkout down by it.
  app.use('/checkout', cors({ origin, allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['content-type'], exposeHeaders: ['retry-after'] }));
  app.use('/checkout', limitBody);
  app.use('/checkout', checkoutLimit({ perMinute: config.CHECKOUT_PER_MINUTE, trustProxy: config.TRUST_PROXY, now }));
  // The hot GET routes keep @hono/node-server's fast path (cors-headers.ts).
  app.use(STATUS_PATH, corsHeaders(statusCors(origin)));
  app.use('/orders/:id/events', corsHeaders({ origin, allowMethods: ['GET', 'OPTIONS'] }));

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
      return_to: checkedReturnTo(body['return_to'], deps.config),
    });
    return c.json(createdOrderAnswer(order, { publicUrl: deps.config.PUBLIC_URL, payeeName: deps.config.MERCHANT_NAME ?? null }, 'public'), 201);
  });

  // Cache hits are answered ahead of Hono, with the same headers (status-fast-path.ts).
  app.get(STATUS_PATH, async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    const ifNoneMatch = requestHeader(c, 'if-none-match');
    // The ETag is the id and the version; while the change feed is live the answer comes from its cache.
    const answer = await statusAnswer(statusReadsOf(deps.store), deps.feed.statusCache(), id, deps.config.MERCHANT_NAME ?? null, ifNoneMatch);
    if (!answer) throw orderNotFound();
    responseHeader(c, 'cache-control', STATUS_CACHE_CONTROL);
    responseHeader(c, 'etag', answer.etag);
    if (ifNoneMatch === answer.etag || answer.body === undefined) return notModified(c);
    // One header in the answer itself: Hono passes a single one on as it is, several through a `Headers`.
    return c.body(answer.body, 200, { 'content-type': STATUS_CONTENT_TYPE });
  });

  app.get('/orders/:id/events', async (c) => {
    const deps = c.get('deps');
    const id = c.req.param('id');
    if ((await statusReadsOf(deps.store).version(id)) === undefined) throw orderNotFound();
    // Each open stream holds a socket and a subscription: one address cannot hold thousands.
    const release = streams.acquire(callerOf(c, config.TRUST_PROXY));
    if (!release) {
      c.header('retry-after', '30');
      throw new MerchantApiError(429, 'TOO_MANY_STREAMS', `this address already follows ${config.SSE_PER_ADDRESS} orders; close one or poll /status`);
    }
    return eventStream(c, async (sink) => {
      // No timer and no read of its own: the feed hands every stream of the order the same frame.
      let lastVersion = -1;
      const send = (message: StatusMessage) => {
        if (message.version <= lastVersion) return;
        lastVersion = message.version;
        sink.write(message.frame);
        // Ended once every stream of the order has its frame: ending one costs more than writing it.
        if (message.final) queueMicrotask(sink.end);
      };
      const follower = await deps.feed.follow(id, {
        send,
        heartbeat: () => sink.write(HEARTBEAT_FRAME),
        end: () => {
          // Shutting down: the element reconnects (to another instance) or polls.
          sink.write(SHUTDOWN_FRAME);
          sink.end();
        },
      });
      try {
        if (follower.current) send(follower.current);
        else sink.end();
        await sink.done;
      } finally {
        follower.stop();
        release();
      }
    }, (error) => deps.log(`event stream of ${id} failed: ${error.message}`));
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
