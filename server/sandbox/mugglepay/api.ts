/**
 * The sandbox MugglePay's order API under `/v1` (contracts §5), authenticated by the `token`
 * header. Creating answers HTTP 200 with `"status": 201` in the body, as seed 004 shows.
 */
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { MugglePayBook } from './book.ts';
import { orderView, parseCreateOrder } from './order.ts';

export type MugglePayApiEnv = { Variables: { apiKey: string } };

export function mugglePayFailure(c: Context, status: 400 | 401 | 404, error_code: string, error: string) {
  return c.json({ status, error_code, error }, status);
}

function requireApiKey(apiKeys: Set<string>) {
  return createMiddleware<MugglePayApiEnv>(async (c, next) => {
    const key = c.req.header('token') ?? '';
    if (!apiKeys.has(key)) return mugglePayFailure(c, 401, 'AUTHENTICATION_FAILED', 'Authentication Token is not set or expired.');
    c.set('apiKey', key);
    await next();
  });
}

export function mugglePayApi(book: MugglePayBook, apiKeys: Set<string>) {
  const notFound = (c: Context) => mugglePayFailure(c, 404, 'ORDER_NOT_FOUND', 'Order not found.');
  return new Hono<MugglePayApiEnv>()
    .use('*', requireApiKey(apiKeys))
    .post('/orders', async (c) => {
      const request = parseCreateOrder(await c.req.text());
      if (!request) return mugglePayFailure(c, 400, 'PARAMETERS_MISSING', 'Missing parameters.');
      const order = book.create(c.var.apiKey, request);
      const base = c.req.url.slice(0, c.req.url.indexOf('/v1/orders'));
      return c.json({ status: 201, order: orderView(order), payment_url: `${base}/invoice/${order.order_id}` }, 200);
    })
    .get('/orders/:id', (c) => {
      const order = book.ownedBy(c.var.apiKey, c.req.param('id'));
      if (!order) return notFound(c);
      return c.json({ status: 200, order: orderView(order), invoice: { invoice_id: order.order_id, pay_amount: order.pay_amount, pay_currency: order.pay_currency, status: order.status } });
    })
    .post('/orders/:id/cancel', (c) => {
      const order = book.ownedBy(c.var.apiKey, c.req.param('id'));
      if (!order) return notFound(c);
      if (!book.cancel(order)) return mugglePayFailure(c, 400, 'ORDER_CANCEL_FAILED', 'Only NEW orders can be cancelled.');
      return c.json({ status: 200, order: orderView(order) });
    })
    .post('/orders/:id/refund', (c) => {
      const order = book.ownedBy(c.var.apiKey, c.req.param('id'));
      if (!order) return notFound(c);
      if (!book.refund(order)) return mugglePayFailure(c, 400, 'ORDER_REFUND_FAILED', 'Only PAID orders can be refunded.');
      return c.json({ status: 200, order: orderView(order) });
    });
}
