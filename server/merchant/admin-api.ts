/**
 * The operator's API, behind its own key (`x-admin-key: <ADMIN_API_KEY>`): list and inspect
 * orders with their history, MixPay ids, reconciliation schedule and every notification attempt,
 * and send a notification again by hand. Off (404) when ADMIN_API_KEY is unset.
 */
import { Hono } from 'hono';
import type { MerchantEnv } from './deps.ts';
import { MerchantApiError, validationError } from './api-errors.ts';
import { adminNotificationsQuerySchema, listOrdersQuerySchema } from './api-schemas.ts';
import { requireToken } from './auth.ts';
import { withoutEmptyFields } from './create-order.ts';
import { findNotification, NotificationNotFoundError, notificationsOf, resendNotification, type Notification } from './notifications.ts';
import { historyOf, listOrders } from './order-queries.ts';
import { findOrder, type Order } from './order-store.ts';
import { merchantOrderView } from './order-view.ts';

export const ADMIN_KEY_HEADER = 'x-admin-key';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Everything the operator may need about one order, including what the merchant API hides. */
export function adminOrderView(order: Order) {
  return {
    ...merchantOrderView(order),
    merchant_token_set: order.merchant_token !== null,
    quote_asset_id: order.quote_asset_id,
    settlement_asset_id: order.settlement_asset_id,
    payee_id: order.payee_id,
    mixpay_order_id: order.mixpay_order_id,
    mixpay_code: order.mixpay_code,
    mixpay_trace_id: order.mixpay_trace_id,
    settle_symbol: order.settle_symbol,
    /** A success that paid less than was payable (PAID all the same; its history says by how much). */
    underpaid: order.underpaid === 1,
    version: order.version,
    reconcile: { next_check_at: iso(order.next_check_at), check_count: order.check_count, last_checked_at: iso(order.last_checked_at) },
  };
}

export function adminNotificationView(n: Notification & { attempt_log?: Array<Record<string, unknown>> }) {
  return {
    event_id: n.id,
    order_id: n.order_id,
    status: n.order_status,
    previous_status: n.previous_status,
    url: n.url,
    state: n.state,
    attempts_in_schedule: n.attempts,
    next_attempt_at: iso(n.next_attempt_at),
    last_error: n.last_error,
    delivered_at: iso(n.delivered_at),
    created_at: iso(n.created_at),
    body: JSON.parse(n.body) as unknown,
    ...(n.attempt_log
      ? {
          attempts: n.attempt_log.map((a) => ({
            attempt: a.attempt,
            trigger: a.trigger,
            at: iso(a.started_at as number),
            duration_ms: a.duration_ms,
            http_status: a.http_status,
            outcome: a.outcome,
            detail: a.detail,
          })),
        }
      : {}),
  };
}

export function adminApi(adminApiKey: string | undefined) {
  const app = new Hono<MerchantEnv>();
  if (!adminApiKey) {
    return app.all('*', () => {
      throw new MerchantApiError(404, 'ADMIN_API_OFF', 'the admin API is off: set ADMIN_API_KEY to turn it on');
    });
  }
  return app
    .use('*', requireToken({ header: ADMIN_KEY_HEADER, key: adminApiKey }))
    .get('/orders', async (c) => {
      const query = withoutEmptyFields(c.req.query());
      const parsed = listOrdersQuerySchema.safeParse(query);
      if (!parsed.success) throw validationError(parsed.error, query);
      const { orders, total } = await listOrders(c.get('deps').store.db, parsed.data);
      return c.json({ status: 200, orders: orders.map(adminOrderView), total, limit: parsed.data.limit, offset: parsed.data.offset });
    })
    .get('/orders/:id', async (c) => {
      const { db } = c.get('deps').store;
      const order = await findOrder(db, c.req.param('id'));
      if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
      const [history, notifications, income] = await Promise.all([
        historyOf(db, order.id),
        notificationsOf(db, order.id),
        db.selectFrom('income_snapshots').selectAll().where('order_id', '=', order.id).execute(),
      ]);
      return c.json({ status: 200, order: adminOrderView(order), history, notifications: notifications.map(adminNotificationView), income });
    })
    .get('/notifications', async (c) => {
      const query = withoutEmptyFields(c.req.query());
      const parsed = adminNotificationsQuerySchema.safeParse(query);
      if (!parsed.success) throw validationError(parsed.error, query);
      let select = c.get('deps').store.db.selectFrom('notifications').selectAll();
      if (parsed.data.state) select = select.where('state', '=', parsed.data.state);
      const rows = (await select.orderBy('created_at', 'desc').orderBy('id').limit(parsed.data.limit).offset(parsed.data.offset).execute()) as Notification[];
      return c.json({ status: 200, notifications: rows.map((n) => adminNotificationView(n)) });
    })
    .get('/notifications/:eventId', async (c) => {
      const { db } = c.get('deps').store;
      const found = await findNotification(db, c.req.param('eventId'));
      if (!found) throw new MerchantApiError(404, 'NOTIFICATION_NOT_FOUND', 'no notification with this event id');
      const withLog = (await notificationsOf(db, found.order_id)).find((n) => n.id === found.id)!;
      return c.json({ status: 200, notification: adminNotificationView(withLog) });
    })
    .post('/notifications/:eventId/resend', async (c) => {
      const deps = c.get('deps');
      try {
        const notification = await resendNotification(deps.store.db, c.req.param('eventId'), deps.now());
        deps.log(`admin: notification ${notification.id} queued to be sent again`);
        return c.json({ status: 200, notification: adminNotificationView(notification) });
      } catch (error) {
        if (error instanceof NotificationNotFoundError) throw new MerchantApiError(404, 'NOTIFICATION_NOT_FOUND', error.message);
        throw error;
      }
    });
}
