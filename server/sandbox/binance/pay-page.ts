/**
 * The hosted pay page `checkoutUrl` opens (plain forms, no script), and the sandbox's control
 * calls: read an order with its refunds and webhook attempts, or force a status the page does not
 * reach (PENDING, ERROR, REFUNDING) so a client's handling of it can be tried.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { BinanceBook } from './book.ts';
import { FORCEABLE_STATUSES, type BinanceOrderStatus } from './order.ts';

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self' http: https:; base-uri 'none'", 'cache-control': 'no-store' };

const isForceable = (value: unknown): value is (typeof FORCEABLE_STATUSES)[number] & BinanceOrderStatus =>
  typeof value === 'string' && (FORCEABLE_STATUSES as readonly string[]).includes(value);

export function binancePayPage(book: BinanceBook) {
  return new Hono()
    .get('/pay/:id', (c) => {
      const order = book.find(c.req.param('id'));
      if (!order) return c.html(html`<!doctype html><title>Not found</title><h1>No such Binance Pay order</h1>`, 404, PAGE_HEADERS);
      const open = order.status === 'INITIAL' || order.status === 'PENDING';
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
    })
    .post('/pay/:id/pay', (c) => {
      const order = book.find(c.req.param('id'));
      if (!order) return c.text('no such order', 404);
      if (order.status !== 'INITIAL' && order.status !== 'PENDING' && order.status !== 'PAID') return c.redirect(`../${order.prepayId}`, 303);
      book.pay(order);
      return c.redirect(order.returnUrl || `../${order.prepayId}`, 303);
    })
    .post('/pay/:id/cancel', (c) => {
      const order = book.find(c.req.param('id'));
      if (!order) return c.text('no such order', 404);
      book.cancel(order);
      return c.redirect(order.cancelUrl || `../${order.prepayId}`, 303);
    })
    /** Test and operator view of an order, refunds and webhook attempts included. */
    .get('/_sandbox/orders/:id', (c) => {
      const order = book.find(c.req.param('id'));
      return order ? c.json({ data: order }) : c.json({ error: 'not found' }, 404);
    })
    .post('/_sandbox/orders/:id/status', async (c) => {
      const order = book.find(c.req.param('id'));
      if (!order) return c.json({ error: 'not found' }, 404);
      const body: unknown = await c.req.json().catch(() => null);
      const status = body && typeof body === 'object' && 'status' in body ? body.status : undefined;
      if (!isForceable(status)) return c.json({ error: `status must be one of ${FORCEABLE_STATUSES.join(', ')}` }, 400);
      book.force(order, status);
      return c.json({ data: order });
    });
}
