/** The authenticated, MugglePay-compatible order API for the merchant's backend (`token` header). */
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { MerchantApiError, readJsonObject, validationError } from './api-errors.ts';
import { requireToken } from './auth.ts';
import { createOrder, createOrderSchema } from './create-order.ts';
import { findOrder } from './order-store.ts';
import { merchantOrderView, orderLinks } from './order-view.ts';

export function ordersApi(merchantApiKey: string) {
  return new Hono<AppEnv>()
    .use('*', requireToken({ header: 'token', key: merchantApiKey }))
    .post('/', async (c) => {
      const deps = c.get('deps');
      const body = await readJsonObject(c);
      const parsed = createOrderSchema.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error, body);
      const { order, created } = await createOrder(deps, parsed.data);
      const base = deps.config.PUBLIC_URL;
      return c.json(
        {
          status: 201,
          order: merchantOrderView(order),
          payment_url: order.checkout_url,
          links: orderLinks(order),
          status_url: `${base}/v1/orders/${order.id}/status`,
          events_url: `${base}/v1/orders/${order.id}/events`,
        },
        created ? 201 : 200,
      );
    })
    .get('/:id{[0-9a-fA-F-]{36}}', async (c) => {
      const order = await findOrder(c.get('deps').store.db, c.req.param('id'));
      if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
      return c.json({ status: 200, order: merchantOrderView(order), links: orderLinks(order) });
    });
}
