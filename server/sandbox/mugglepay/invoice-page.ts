/** The hosted invoice page `payment_url` opens (plain forms, no script), and the sandbox's order view. */
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { MugglePayBook } from './book.ts';

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self' http: https:; base-uri 'none'", 'cache-control': 'no-store' };

export function mugglePayInvoicePage(book: MugglePayBook) {
  return new Hono()
    .get('/invoice/:id', (c) => {
      const order = book.orders.get(c.req.param('id'));
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
    })
    .post('/invoice/:id/pay', (c) => {
      const order = book.orders.get(c.req.param('id'));
      if (!order) return c.text('no such invoice', 404);
      book.pay(order);
      return c.redirect(order.success_url || `../${order.order_id}`, 303);
    })
    .post('/invoice/:id/cancel', (c) => {
      const order = book.orders.get(c.req.param('id'));
      if (!order) return c.text('no such invoice', 404);
      book.cancel(order);
      return c.redirect(order.cancel_url || `../${order.order_id}`, 303);
    })
    .get('/_sandbox/orders/:id', (c) => {
      const order = book.orders.get(c.req.param('id'));
      return order ? c.json({ data: order }) : c.json({ error: 'not found' }, 404);
    });
}
