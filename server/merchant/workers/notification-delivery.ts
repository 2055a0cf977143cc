/**
 * Delivers the notification outbox: POSTs each due event to the merchant's `callback_url`, signed,
 * until a 2xx answer, on the documented back-off (server/merchant/notification-schedule.ts). Every
 * attempt is logged. Several processes may run it: a row is leased before it is sent.
 *
 * Within one order, events go out in order while the endpoint is healthy: a later event waits for
 * the earlier one's first attempt. A failing earlier event holds the later one only while the
 * endpoint as a whole is failing (an outage: sending more would not help, and order is kept); once
 * the endpoint's origin has answered 2xx to any event since that failure, the failure is the
 * event's own and the later one is sent (laterEventHeld). Every body names its `order_version`,
 * so a merchant ignores an older state arriving after a newer one.
 *
 * An answer that says the request itself is wrong (a 4xx other than 408, 425 and 429, as BTCPay
 * reads them) is not retried: the event is marked `failed` and stops holding later ones.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { isRefusal, nextNotificationDelay } from '../notification-schedule.ts';
import type { Notification } from '../notifications.ts';
import { runEvery, type Running } from '../../core/worker-loop.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from '../../core/signature.ts';
import { reportNotificationAttempt } from '../../core/channels.ts';

export interface NotificationDeliveryDeps {
  db: Kysely<Database>;
  /** Active secrets, newest first; empty sends unsigned (development only: `serve` refuses it in production). */
  secrets: string[];
  now: () => number;
  /** A line, with fields for the JSON log (server/ops/logger.ts). */
  log: (line: string, fields?: Record<string, unknown>) => void;
  fetch?: typeof fetch;
  /** How long one attempt may take. */
  timeoutMs?: number;
  /** Events sent per round. */
  batchSize?: number;
}

const LEASE_MS = 60_000;

export class NotificationDelivery {
  private readonly fetchImpl: typeof fetch;
  private loop: Running | undefined;
  private readonly inFlight = new AbortController();

  constructor(private readonly deps: NotificationDeliveryDeps) {
    this.fetchImpl = deps.fetch ?? fetch;
  }

  /** Sends every event due now; returns how many were attempted. */
  async runOnce(): Promise<number> {
    const now = this.deps.now();
    const due = await this.dueIds(now);
    let attempted = 0;
    for (const id of due) {
      if (this.inFlight.signal.aborted) break;
      // Leased from the time of the claim, not of the round: a slow merchant earlier in the round
      // must not leave this event with a lease that has already run out.
      const claimed = await this.claim(id, this.deps.now());
      if (!claimed) continue;
      await this.attempt(claimed);
      attempted += 1;
    }
    return attempted;
  }

  /** Runs a round every `intervalMs` until `stop()`. */
  start(intervalMs: number): this {
    this.loop ??= runEvery(intervalMs, () => this.runOnce(), (error) => this.deps.log(`notifications: ${error.message}`));
    return this;
  }

  /** Stops the loop, aborts a request in flight and waits for the round to end. */
  async stop(): Promise<void> {
    this.inFlight.abort();
    await this.loop?.stop();
  }

  private async dueIds(now: number): Promise<string[]> {
    const batch = this.deps.batchSize ?? 20;
    const rows = await this.deps.db
      .selectFrom('notifications as n')
      .select(['n.id', 'n.order_id', 'n.order_version'])
      .where('n.state', '=', 'pending')
      .where('n.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('n.locked_until', 'is', null), eb('n.locked_until', '<=', now)]))
      // An earlier event not yet tried holds the later one: that keeps the order for a healthy endpoint.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('notifications as earlier')
              .select(sql`1`.as('one'))
              .whereRef('earlier.order_id', '=', 'n.order_id')
              .whereRef('earlier.order_version', '<', 'n.order_version')
              .where('earlier.state', '=', 'pending')
              .where('earlier.attempts', '=', 0),
          ),
        ),
      )
      .orderBy('n.next_attempt_at')
      .limit(batch)
      .execute();
    const due: string[] = [];
    for (const row of rows) {
      const holder = await laterEventHeld(this.deps.db, row.order_id, row.order_version);
      if (!holder) {
        due.push(row.id);
        continue;
      }
      // Held behind an earlier event while its endpoint is down: look again when the earlier one
      // is retried (or within a minute, should the endpoint recover first), so held rows do not
      // fill every round's batch.
      const next = Math.min(holder.next_attempt_at ?? now + 60_000, now + 60_000);
      await this.deps.db.updateTable('notifications').set({ next_attempt_at: Math.max(next, now + 1) }).where('id', '=', row.id).where('state', '=', 'pending').execute();
    }
    return due;
  }

  /** Leases one row so that no other process sends it at the same time. */
  private async claim(id: string, now: number): Promise<Notification | undefined> {
    const result = await this.deps.db
      .updateTable('notifications')
      .set({ locked_until: now + LEASE_MS })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return (await this.deps.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst()) as Notification | undefined;
  }

  private async attempt(notification: Notification): Promise<void> {
    const { db, now } = this.deps;
    const previous = await db
      .selectFrom('notification_attempts')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('notification_id', '=', notification.id)
      .executeTakeFirstOrThrow();
    const number = Number(previous.count) + 1;
    // A row whose schedule restarted after earlier attempts was sent again by hand.
    const trigger = notification.attempts === 0 && number > 1 ? 'manual' : 'schedule';
    const startedAt = now();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'mixpay-checkout-notifier/1',
      [EVENT_ID_HEADER]: notification.id,
    };
    if (this.deps.secrets.length) headers[SIGNATURE_HEADER] = signWebhook(notification.body, this.deps.secrets, Math.floor(startedAt / 1000));
    let httpStatus: number | null = null;
    let detail: string;
    const wallStart = Date.now();
    try {
      const response = await this.fetchImpl(notification.url, {
        method: 'POST',
        headers,
        body: notification.body,
        redirect: 'manual',
        signal: AbortSignal.any([this.inFlight.signal, AbortSignal.timeout(this.deps.timeoutMs ?? 10_000)]),
      });
      httpStatus = response.status;
      detail = (await response.text().catch(() => '')).slice(0, 500);
    } catch (error) {
      detail = (error as Error).message.slice(0, 500);
    }
    const delivered = httpStatus !== null && httpStatus >= 200 && httpStatus < 300;
    const refused = !delivered && httpStatus !== null && isRefusal(httpStatus);
    const outcome = delivered ? 'delivered' : httpStatus === null ? 'unreachable' : 'rejected';
    const finishedAt = now();
    const failures = notification.attempts + 1;
    const delay = delivered || refused ? null : nextNotificationDelay(failures);
    const state = delivered ? 'delivered' : refused ? 'failed' : delay === null ? 'gave_up' : 'pending';
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('notification_attempts')
        .values({
          id: randomUUID(),
          notification_id: notification.id,
          attempt: number,
          trigger,
          started_at: startedAt,
          duration_ms: Date.now() - wallStart,
          http_status: httpStatus,
          outcome,
          detail,
        })
        .execute();
      await trx
        .updateTable('notifications')
        .set(
          delivered
            ? { state, attempts: failures, delivered_at: finishedAt, next_attempt_at: null, locked_until: null, last_error: null, updated_at: finishedAt }
            : {
                state,
                attempts: failures,
                next_attempt_at: delay === null ? null : finishedAt + delay,
                locked_until: null,
                last_error: `${httpStatus ?? 'no answer'}: ${detail}`.slice(0, 500),
                updated_at: finishedAt,
              },
        )
        .where('id', '=', notification.id)
        .execute();
    });
    reportNotificationAttempt({ outcome, httpStatus, durationMs: Date.now() - wallStart });
    this.deps.log(
      `notification ${notification.id} (${eventNameOf(notification)} ${notification.order_status}) of order ${notification.order_id} attempt ${number} to ${notification.url}: ${outcome}${httpStatus ? ` ${httpStatus}` : ''}` +
        (delivered
          ? ''
          : refused
            ? '; failed: the merchant refused the request itself, not retried (fix the endpoint, then resend by hand)'
            : delay === null
              ? '; giving up (resend by hand)'
              : `; next in ${Math.round(delay / 1000)} s`),
      { order_id: notification.order_id, event_id: notification.id, event: eventNameOf(notification), order_status: notification.order_status, attempt: number, outcome: state === 'pending' ? outcome : state, http_status: httpStatus },
    );
  }
}

/** The event's name: a settlement on a PAID order (no status change), else a status change. */
export function eventNameOf(notification: Pick<Notification, 'order_status' | 'previous_status'>): 'order.settled' | 'order.status_changed' {
  return notification.previous_status === notification.order_status ? 'order.settled' : 'order.status_changed';
}

/**
 * The earlier event of the same order that holds this one, if any: a pending event with a failed
 * attempt, while the endpoint (its URL's origin) has delivered nothing since that failure.
 */
export async function laterEventHeld(db: Kysely<Database>, orderId: string, orderVersion: number): Promise<Notification | undefined> {
  const earlier = (await db
    .selectFrom('notifications')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('order_version', '<', orderVersion)
    .where('state', '=', 'pending')
    .orderBy('order_version')
    .execute()) as Notification[];
  for (const holder of earlier) {
    if (holder.attempts === 0) return holder;
    if (!(await endpointAnsweredSince(db, holder.url, holder.updated_at))) return holder;
  }
  return undefined;
}

/** True when an event to the same origin as `url` was delivered after `since`. */
async function endpointAnsweredSince(db: Kysely<Database>, url: string, since: number): Promise<boolean> {
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return false;
  }
  const escaped = origin.replace(/[\\%_]/g, (c) => `\\${c}`);
  const row = await db
    .selectFrom('notifications')
    .select('id')
    .where('state', '=', 'delivered')
    .where('delivered_at', '>', since)
    .where((eb) => eb.or([eb('url', '=', origin), eb('url', 'like', sql<string>`${`${escaped}/%`} escape '\\'`), eb('url', 'like', sql<string>`${`${escaped}?%`} escape '\\'`)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
