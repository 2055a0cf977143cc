/** The authenticated, MugglePay-compatible order API for the merchant's backend (`token` header). */
import { Hono } from 'hono';
import type { MerchantEnv } from './deps.ts';
import { limitBody, MerchantApiError, readJsonObject, validationError } from './api-errors.ts';
import { listOrdersQuerySchema } from './api-schemas.ts';
import { requireToken } from './auth.ts';
import { createOrder, createOrderSchema, withoutEmptyFields } from './create-order.ts';
import { idempotency } from './idempotency.ts';
import { canCancel } from './order-state.ts';
import { findOrder, transitionOrder } from './order-store.ts';
import { decodeOrderCursor, listOrders, positionOfOrder, type OrderListPosition } from './order-queries.ts';
import { createdOrderAnswer, invoiceView, merchantOrderView, orderLinks } from './order-view.ts';

export function ordersApi(merchantApiKey: string) {
  return new Hono<MerchantEnv>()
    .use('*', requireToken({ header: 'token', key: merchantApiKey }))
    .use('*', limitBody)
    .post('/', idempotency(), async (c) => {
      const deps = c.get('deps');
      const body = withoutEmptyFields(await readJsonObject(c));
      const parsed = createOrderSchema.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error, body);
      const { order } = await createOrder(deps, parsed.data);
      // MugglePay answers HTTP 200 with "status": 201 in the body (seed 004), and its clients read the body.
      return c.json(createdOrderAnswer(order, { publicUrl: deps.config.PUBLIC_URL, payeeName: deps.config.MERCHANT_NAME ?? null }, 'merchant'), 200);
    })
    .get('/', async (c) => {
      const query = withoutEmptyFields(c.req.query());
      const parsed = listOrdersQuerySchema.safeParse(query);
      if (!parsed.success) throw validationError(parsed.error, query);
      const { db } = c.get('deps').store;
      const { cursor, starting_after: startingAfter, ...filter } = parsed.data;
      let after: OrderListPosition | undefined;
      if (cursor !== undefined) {
        after = decodeOrderCursor(cursor);
        if (!after) throw new MerchantApiError(400, 'INVALID_PARAMETERS', 'cursor: not a next_cursor this server gave; start again without it');
      } else if (startingAfter !== undefined) {
        after = await positionOfOrder(db, startingAfter);
        if (!after) throw new MerchantApiError(400, 'INVALID_PARAMETERS', 'starting_after: no order with this id');
      }
      // Counting every order grows with the table: only offset paging (the old way) pays for it.
      const page = await listOrders(db, { ...filter, after, withTotal: 'offset' in query });
      return c.json({ status: 200, orders: page.orders.map(merchantOrderView), total: page.total, limit: filter.limit, offset: filter.offset, has_more: page.has_more, next_cursor: page.next_cursor });
    })
    .get('/:id{[0-9a-fA-F-]{36}}', async (c) => {
      const order = await findOrder(c.get('deps').store.db, c.req.param('id'));
      if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
      return c.json({ status: 200, order: merchantOrderView(order), invoice: invoiceView(order), links: orderLinks(order) });
    })
    .post('/:id{[0-9a-fA-F-]{36}}/cancel', async (c) => {
      const deps = c.get('deps');
      const order = await findOrder(deps.store.db, c.req.param('id'));
      if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
      const notCancelable = (status: string) =>
        new MerchantApiError(409, 'ORDER_NOT_CANCELABLE', `only NEW orders can be canceled; this one is ${status}`);
      if (!canCancel(order.status)) throw notCancelable(order.status);
      // The one-time link cannot be revoked at MixPay: a payment that still arrives is recorded
      // as a late payment and announced like any other change.
      const result = await transitionOrder(deps.store.db, order.id, 'CANCELED', 'merchant:cancel', {}, null, deps.now());
      if (!result.changed) throw notCancelable(result.order.status);
      deps.bus.publish(order.id);
      return c.json({ status: 200, order: merchantOrderView(result.order) });
    });
}
