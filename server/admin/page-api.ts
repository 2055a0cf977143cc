/**
 * The JSON the admin page reads and the changes it makes, behind the page's session cookie and
 * CSRF token (session.ts); the `x-admin-key` API under /admin/v1 stays for scripts. Errors are
 * the merchant API's `{status, error_code, error}`.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { MerchantDeps } from '../merchant/deps.ts';
import { adminNotificationView, adminOrderView } from '../merchant/admin-api.ts';
import { MerchantApiError, readJsonObject, validationError } from '../merchant/api-errors.ts';
import { findNotification, NotificationNotFoundError, notificationsOf, resendNotification, type Notification } from '../merchant/notifications.ts';
import { historyOf } from '../merchant/order-queries.ts';
import { nextStatuses } from '../merchant/order-state.ts';
import { findOrder } from '../merchant/order-store.ts';
import { withoutEmptyFields } from '../merchant/create-order.ts';
import { brokerInUse, brokerOverview } from './broker-overview.ts';
import { endpointHealth } from './notification-health.ts';
import { actionsFor, applyOrderAction, type OrderAction } from './order-actions.ts';
import { orderSearchSchema, searchOrders } from './order-search.ts';
import { requireSession, type AdminEnv } from './session.ts';
import { buildTimeline } from './timeline.ts';

const actionBodySchema = z.object({
  reason: z.string().trim().max(500).default(''),
  reference: z.string().trim().max(200).optional(),
});

const ACTIONS: readonly OrderAction[] = ['cancel', 'resolve', 'refund_pending', 'refunded'];

const notificationStateSchema = z.object({
  state: z.enum(['pending', 'delivered', 'gave_up', 'failed']).optional(),
  url: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export function adminPageApi(deps: MerchantDeps) {
  return new Hono<AdminEnv>()
    .use('*', requireSession(deps))
    .get('/session', async (c) => {
      const session = c.get('session');
      return c.json({ status: 200, operator: session.operator, csrf_token: session.csrfToken, expires_at_t: session.expiresAt, broker: await brokerInUse(deps.store.db) });
    })
    .get('/broker', async (c) => c.json({ status: 200, ...(await brokerOverview(deps.store.db, deps.now())) }))
    .get('/orders', async (c) => {
      const query = withoutEmptyFields(c.req.query());
      const parsed = orderSearchSchema.safeParse(query);
      if (!parsed.success) throw validationError(parsed.error, query);
      const { orders, next } = await searchOrders(deps.store.db, parsed.data);
      return c.json({ status: 200, orders: orders.map(adminOrderView), next });
    })
    .get('/orders/:id', async (c) => {
      const order = await findOrder(deps.store.db, c.req.param('id'));
      if (!order) throw new MerchantApiError(404, 'ORDER_NOT_FOUND', 'no order with this id');
      const [history, notifications] = await Promise.all([historyOf(deps.store.db, order.id), notificationsOf(deps.store.db, order.id)]);
      const attempts = notifications.flatMap((n) =>
        n.attempt_log.map((a) => ({
          event_id: n.id,
          event_status: n.order_status,
          attempt: a.attempt,
          trigger: a.trigger,
          at_t: Number(a.started_at),
          duration_ms: Number(a.duration_ms),
          http_status: a.http_status,
          outcome: a.outcome,
          detail: a.detail,
        })),
      );
      return c.json({
        status: 200,
        order: adminOrderView(order),
        timeline: buildTimeline(order.created_at, history, attempts),
        notifications: notifications.map(adminNotificationView),
        actions: actionsFor(order.status),
        next_statuses: nextStatuses(order.status),
      });
    })
    .post('/orders/:id/:action', async (c) => {
      const action = c.req.param('action') as OrderAction;
      if (!ACTIONS.includes(action)) throw new MerchantApiError(404, 'NOT_FOUND', `no action ${action}; one of ${ACTIONS.join(', ')}`);
      const body = withoutEmptyFields(await readJsonObject(c));
      const parsed = actionBodySchema.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error, body);
      const order = await applyOrderAction(deps, c.req.param('id'), action, { by: c.get('session').operator, ...parsed.data });
      return c.json({ status: 200, order: adminOrderView(order), actions: actionsFor(order.status) });
    })
    .get('/notifications', async (c) => {
      const query = withoutEmptyFields(c.req.query());
      const parsed = notificationStateSchema.safeParse(query);
      if (!parsed.success) throw validationError(parsed.error, query);
      let select = deps.store.db.selectFrom('notifications').selectAll();
      if (parsed.data.state) select = select.where('state', '=', parsed.data.state);
      if (parsed.data.url) select = select.where('url', '=', parsed.data.url);
      const [endpoints, rows] = await Promise.all([
        endpointHealth(deps.store.db),
        select.orderBy('updated_at', 'desc').orderBy('id').limit(parsed.data.limit).execute() as Promise<Notification[]>,
      ]);
      return c.json({ status: 200, endpoints, notifications: rows.map((n) => adminNotificationView(n)) });
    })
    .get('/notifications/:eventId', async (c) => {
      const found = await findNotification(deps.store.db, c.req.param('eventId'));
      if (!found) throw new MerchantApiError(404, 'NOTIFICATION_NOT_FOUND', 'no notification with this event id');
      const withLog = (await notificationsOf(deps.store.db, found.order_id)).find((n) => n.id === found.id)!;
      return c.json({ status: 200, notification: adminNotificationView(withLog) });
    })
    .post('/notifications/:eventId/resend', async (c) => {
      try {
        const notification = await resendNotification(deps.store.db, c.req.param('eventId'), deps.now());
        deps.log(`admin: ${c.get('session').operator} queued notification ${notification.id} to be sent again`);
        return c.json({ status: 200, notification: adminNotificationView(notification) });
      } catch (error) {
        if (error instanceof NotificationNotFoundError) throw new MerchantApiError(404, 'NOTIFICATION_NOT_FOUND', error.message);
        throw error;
      }
    });
}
