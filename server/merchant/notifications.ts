/**
 * The notification outbox. Every status change of an order with a `callback_url` writes one row,
 * inside the same transaction as the change (transitionOrder queues it; settlement news on a PAID
 * order queues one too, from payment-sync.ts), so a change is never lost
 * between the database and the merchant, and never announced without having happened. The row
 * holds the exact body; the delivery worker signs and sends it until the merchant answers 2xx.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isUuid } from '../core/ids.ts';
import type { Database, NotificationsTable, OrderStatus } from '../store/schema.ts';
import type { MerchantNotification } from './notification-types.ts';
import type { Order } from './order-store.ts';

/**
 * MugglePay's callback body (contracts §5), so a MugglePay integration reads it unchanged. Amounts
 * are decimal strings (MugglePay sends numbers); what MugglePay lacks lives under `meta`.
 */
export function notificationBody(order: Order, previous: OrderStatus | null, eventId: string): MerchantNotification {
  return {
    merchant_order_id: order.merchant_order_id,
    order_id: order.id,
    status: order.status,
    price_amount: order.price_amount,
    price_currency: order.price_currency,
    pay_amount: order.pay_amount,
    pay_currency: order.pay_currency,
    created_at: new Date(order.created_at).toISOString(),
    created_at_t: order.created_at,
    token: order.merchant_token,
    meta: {
      event_id: eventId,
      // A status change, or settlement news on a PAID order (no status change; `settle_*` below).
      event: previous === order.status ? 'order.settled' : 'order.status_changed',
      order_version: order.version,
      previous_status: previous,
      changed_at_t: order.updated_at,
      amount_due: order.amount_due,
      late_payment: order.late_payment === 1,
      failure_reason: order.failure_reason,
      settle_status: order.settle_status,
      settle_amount: order.settle_amount,
      settle_asset: order.settle_asset,
    },
  };
}


/** Queues the notification for one applied transition; runs inside its transaction. */
export async function queueNotification(trx: Transaction<Database> | Kysely<Database>, order: Order, previous: OrderStatus | null): Promise<string | null> {
  if (!order.callback_url) return null;
  const id = randomUUID();
  const now = order.updated_at;
  await trx
    .insertInto('notifications')
    .values({
      id,
      order_id: order.id,
      order_version: order.version,
      order_status: order.status,
      previous_status: previous,
      url: order.callback_url,
      body: JSON.stringify(notificationBody(order, previous, id)),
      state: 'pending',
      attempts: 0,
      next_attempt_at: now,
      locked_until: null,
      last_error: null,
      delivered_at: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}


/** Registers the outbox hook once per process; every app and worker shares it. */

export type Notification = { [K in keyof NotificationsTable]: K extends 'attempts' ? number : NotificationsTable[K] };

export async function findNotification(db: Kysely<Database>, id: string): Promise<Notification | undefined> {
  // Event ids are UUIDs we made: anything else (a NUL byte breaks PostgreSQL) names none.
  if (!isUuid(id)) return undefined;
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst() as Promise<Notification | undefined>;
}

export async function notificationsOf(db: Kysely<Database>, orderId: string) {
  const notifications = (await db.selectFrom('notifications').selectAll().where('order_id', '=', orderId).orderBy('order_version').execute()) as Notification[];
  const ids = notifications.map((n) => n.id);
  const attempts = ids.length
    ? await db.selectFrom('notification_attempts').selectAll().where('notification_id', 'in', ids).orderBy('attempt').execute()
    : [];
  return notifications.map((n) => ({ ...n, attempt_log: attempts.filter((a) => a.notification_id === n.id) }));
}

export class NotificationNotFoundError extends Error {
  override name = 'NotificationNotFoundError';
}

/**
 * Sends an event again by hand, with the same event id and body (so the merchant can de-duplicate),
 * at once and then on the schedule from its start. Works on delivered and given-up events alike.
 */
export async function resendNotification(db: Kysely<Database>, id: string, now: number): Promise<Notification> {
  const found = await findNotification(db, id);
  if (!found) throw new NotificationNotFoundError(`no notification with event id ${id}`);
  await db
    .updateTable('notifications')
    .set({ state: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, updated_at: now })
    .where('id', '=', id)
    .execute();
  return (await findNotification(db, id))!;
}
