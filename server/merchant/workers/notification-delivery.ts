/**
 * Delivers the notification outbox: POSTs each due event to the merchant's `callback_url`, signed,
 * until a 2xx answer, on the documented back-off (server/merchant/notification-schedule.ts). Every
 * attempt is logged. Several processes may run it: a row is leased before it is sent. Within one
 * order, events go out in order: a later status waits while an earlier one is still undelivered.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import { nextNotificationDelay } from '../notification-schedule.ts';
import type { Notification } from '../notifications.ts';
import { runEvery, type Running } from '../../core/worker-loop.ts';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from '../../core/signature.ts';
import { reportNotificationAttempt } from '../../core/channels.ts';

export interface NotificationDeliveryDeps {
  db: Kysely<Database>;
  /** Active secrets, newest first; empty sends unsigned (development only: `serve` refuses it in production). */
  secrets: string[];
  now: () => number;
  log: (line: string) => void;
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
    const rows = await this.deps.db
      .selectFrom('notifications as n')
      .select('n.id')
      .where('n.state', '=', 'pending')
      .where('n.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('n.locked_until', 'is', null), eb('n.locked_until', '<=', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('notifications as earlier')
              .select(sql`1`.as('one'))
              .whereRef('earlier.order_id', '=', 'n.order_id')
              .whereRef('earlier.order_version', '<', 'n.order_version')
              .where('earlier.state', '=', 'pending'),
          ),
        ),
      )
      .orderBy('n.next_attempt_at')
      .limit(this.deps.batchSize ?? 20)
      .execute();
    return rows.map((r) => r.id);
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
    const outcome = delivered ? 'delivered' : httpStatus === null ? 'unreachable' : 'rejected';
    const finishedAt = now();
    const failures = notification.attempts + 1;
    const delay = delivered ? null : nextNotificationDelay(failures);
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
            ? { state: 'delivered', attempts: failures, delivered_at: finishedAt, next_attempt_at: null, locked_until: null, last_error: null, updated_at: finishedAt }
            : {
                state: delay === null ? 'gave_up' : 'pending',
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
      `notification ${notification.id} (${notification.order_status}) attempt ${number} to ${notification.url}: ${outcome}${httpStatus ? ` ${httpStatus}` : ''}` +
        (delivered ? '' : delay === null ? '; giving up (resend by hand)' : `; next in ${Math.round(delay / 1000)} s`),
    );
  }
}
