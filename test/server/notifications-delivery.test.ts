/**
 * Notifications to the merchant: written in the same transaction as the status change, signed,
 * delivered until 2xx on the documented back-off (≥ 3 days), every attempt logged, sent again by
 * hand on request, and delivered once per event id even when the merchant is down for hours or
 * two senders run at once. Time is a settable clock; the merchant is a real HTTP endpoint.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { watchTimers } from '../support/timers.ts';
import { eventually } from '../support/wait.ts';
import { sql } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { listen, type Listening } from '../support/http.ts';
import { insertOrder, TestClock } from '../support/orders.ts';
import { transitionOrder } from '../../server/merchant/order-store.ts';
import { notificationsOf, resendNotification } from '../../server/merchant/notifications.ts';
import { MAX_ATTEMPTS, nextNotificationDelay, notificationScheduleOffsets } from '../../server/merchant/notification-schedule.ts';
import { verifyWebhook } from '../../server/core/signature.ts';
import { NotificationDelivery } from '../../server/merchant/workers/notification-delivery.ts';
import type { MerchantNotification } from '../../server/merchant/notification-types.ts';

const SECRET = 'notify-secret-0123456789';
const HOUR = 3_600_000;

describe('notification back-off (pure)', () => {
  test('doubles from one minute, caps at six hours, and lasts at least three days', () => {
    assert.equal(nextNotificationDelay(1), 60_000);
    assert.equal(nextNotificationDelay(2), 120_000);
    assert.equal(nextNotificationDelay(9), 256 * 60_000);
    assert.equal(nextNotificationDelay(10), 6 * HOUR);
    assert.equal(nextNotificationDelay(MAX_ATTEMPTS - 1), 6 * HOUR);
    assert.equal(nextNotificationDelay(MAX_ATTEMPTS), null);
    const offsets = notificationScheduleOffsets();
    assert.equal(offsets.length, MAX_ATTEMPTS);
    assert.ok(offsets.at(-1)! >= 72 * HOUR, `last attempt at ${offsets.at(-1)! / HOUR} h`);
    assert.throws(() => nextNotificationDelay(0), RangeError);
  });
});

interface Received {
  eventId: string;
  signature: string;
  body: string;
}

for (const backend of await backends()) {
  describe(`notifications on ${backend.name}`, () => {
    let store: TestStore;
    let merchant: Listening;
    let received: Received[] = [];
    let answer = 200;
    const clock = new TestClock();
    const logs: string[] = [];

    before(async () => {
      store = await backend.create();
      merchant = await listen(async (request) => {
        const body = await request.text();
        received.push({ eventId: request.headers.get('mixpay-checkout-event-id') ?? '', signature: request.headers.get('mixpay-checkout-signature') ?? '', body });
        return new Response(answer === 200 ? '{"status":200}' : 'down for maintenance', { status: answer });
      });
    });
    after(async () => {
      await merchant.close();
      await store.dispose();
    });
    afterEach(() => {
      received = [];
      answer = 200;
    });

    const sender = (secrets = [SECRET]) => new NotificationDelivery({ db: store.db, secrets, now: clock.now, log: (l) => logs.push(l), timeoutMs: 2000 });

    async function paidOrder(options: { callback?: boolean } = {}) {
      const order = await insertOrder(store, { callback_url: options.callback === false ? null : `${merchant.url}/hooks/mixpay`, now: clock.ms });
      await transitionOrder(store.db, order.id, 'PAID', 'test:paid', { pay_amount: '10.5', pay_currency: 'USDT' }, null, clock.ms);
      return order;
    }

    test('a status change writes a signed MugglePay-shaped notification, delivered once', async () => {
      const order = await paidOrder();
      const [queued] = await notificationsOf(store.db, order.id);
      assert.equal(queued?.state, 'pending');
      assert.equal(await sender().runOnce(), 1);
      assert.equal(received.length, 1);
      const got = received[0]!;
      const body = verifyWebhook<MerchantNotification>(got.body, got.signature, SECRET, { nowSeconds: Math.floor(clock.ms / 1000) });
      assert.equal(got.eventId, queued!.id);
      assert.equal(body.meta.event_id, got.eventId);
      assert.deepEqual(
        { ...body, meta: undefined },
        {
          merchant_order_id: 'shop-1',
          order_id: order.id,
          status: 'PAID',
          price_amount: '10.5',
          price_currency: 'USD',
          pay_amount: '10.5',
          pay_currency: 'USDT',
          created_at: new Date(clock.ms).toISOString(),
          created_at_t: clock.ms,
          token: 'merchant-callback-token',
          meta: undefined,
        },
      );
      assert.equal(body.meta.previous_status, 'NEW');
      assert.equal(await sender().runOnce(), 0, 'a delivered event is not sent again');
      const [delivered] = await notificationsOf(store.db, order.id);
      assert.equal(delivered?.state, 'delivered');
      assert.equal(delivered?.attempt_log.length, 1);
      assert.equal(delivered?.attempt_log[0]?.outcome, 'delivered');
      assert.equal(delivered?.attempt_log[0]?.http_status, 200);
    });

    test('orders without a callback_url queue nothing', async () => {
      const order = await paidOrder({ callback: false });
      assert.deepEqual(await notificationsOf(store.db, order.id), []);
    });

    test('the outbox row commits or rolls back with the status change', async () => {
      const order = await insertOrder(store, { callback_url: `${merchant.url}/x`, now: clock.ms });
      // The outbox cannot be written (as with a full disk): the whole change must fail.
      await sql`alter table notifications rename to notifications_away`.execute(store.db);
      try {
        await assert.rejects(transitionOrder(store.db, order.id, 'PAID', 'test', {}, null, clock.ms), /notifications/);
      } finally {
        await sql`alter table notifications_away rename to notifications`.execute(store.db);
      }
      const row = await store.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirst();
      assert.equal(row?.status, 'NEW', 'the status change rolled back');
      assert.deepEqual(await notificationsOf(store.db, order.id), [], 'and so did its notification');
      const history = await store.db.selectFrom('order_events').selectAll().where('order_id', '=', order.id).execute();
      assert.equal(history.length, 0);
    });

    test('a merchant down for hours gets every event later, in order, once per event id', async () => {
      const order = await insertOrder(store, { callback_url: `${merchant.url}/hooks`, now: clock.ms });
      await transitionOrder(store.db, order.id, 'PENDING', 'test:pending', {}, null, clock.ms);
      await transitionOrder(store.db, order.id, 'PAID', 'test:paid', {}, null, clock.ms);
      answer = 503;
      const worker = sender();
      const start = clock.ms;
      // Five hours of outage: run the worker every minute of simulated time.
      while (clock.ms - start < 5 * HOUR) {
        await worker.runOnce();
        clock.advance(60_000);
      }
      const failing = await notificationsOf(store.db, order.id);
      assert.equal(failing.length, 2);
      assert.ok(failing.every((n) => n.state === 'pending'));
      // Attempts followed the back-off: 1 + 1, 2, 4, ..., 128 minutes fit in five hours.
      assert.equal(failing[0]!.attempt_log.length, 9);
      assert.ok(failing[0]!.attempt_log.every((a) => a.outcome === 'rejected' && a.http_status === 503));
      assert.equal(failing[1]!.attempt_log.length, 0, 'the later status waits for the earlier one');
      assert.ok(received.every((r) => r.eventId === failing[0]!.id));

      answer = 200;
      received = [];
      // Run for three more days of simulated time, every ten minutes.
      const back = clock.ms;
      while (clock.ms - back < 72 * HOUR) {
        await worker.runOnce();
        clock.advance(10 * 60_000);
      }
      assert.deepEqual(received.map((r) => JSON.parse(r.body).status), ['PENDING', 'PAID'], 'delivered later, in order');
      assert.equal(new Set(received.map((r) => r.eventId)).size, 2, 'once per event id');
      for (const r of received) assert.ok(verifyWebhook(r.body, r.signature, SECRET, { nowSeconds: Math.floor(clock.ms / 1000), toleranceSeconds: 80 * 3600 }));
      const done = await notificationsOf(store.db, order.id);
      assert.deepEqual(done.map((n) => n.state), ['delivered', 'delivered']);
      assert.equal(done[0]!.attempt_log.at(-1)!.outcome, 'delivered');
    });

    test('after about three days it gives up; an operator can resend the same event', async () => {
      const order = await paidOrder();
      answer = 500;
      const worker = sender();
      for (let i = 0; i < 400; i++) {
        await worker.runOnce();
        clock.advance(HOUR / 2);
      }
      const [gaveUp] = await notificationsOf(store.db, order.id);
      assert.equal(gaveUp?.state, 'gave_up');
      assert.equal(gaveUp?.attempt_log.length, MAX_ATTEMPTS);
      const span = gaveUp!.attempt_log.at(-1)!.started_at - gaveUp!.attempt_log[0]!.started_at;
      assert.ok(span >= 72 * HOUR, `retried for ${span / HOUR} h`);

      answer = 200;
      received = [];
      await resendNotification(store.db, gaveUp!.id, clock.ms);
      assert.equal(await worker.runOnce(), 1);
      assert.equal(received.length, 1);
      assert.equal(received[0]!.eventId, gaveUp!.id, 'the same event id, so the merchant can de-duplicate');
      const [resent] = await notificationsOf(store.db, order.id);
      assert.equal(resent?.state, 'delivered');
      assert.equal(resent?.attempt_log.at(-1)?.trigger, 'manual');
    });

    test('two senders at once deliver each event once', async () => {
      const orders = await Promise.all(Array.from({ length: 6 }, () => paidOrder()));
      const [a, b] = [sender(), sender()];
      await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      const ids = received.map((r) => r.eventId);
      assert.equal(ids.length, orders.length);
      assert.equal(new Set(ids).size, orders.length);
    });

    test('a slow round leases each event from the time it claims it, so a second sender never sends it too', async () => {
      const orders = await Promise.all(Array.from({ length: 2 }, () => paidOrder()));
      const eventIds = new Set((await Promise.all(orders.map((o) => notificationsOf(store.db, o.id)))).flat().map((n) => n.id));
      let other: NotificationDelivery | undefined;
      const sends: string[] = [];
      const slow = new NotificationDelivery({
        db: store.db,
        secrets: [SECRET],
        now: clock.now,
        log: (l) => logs.push(l),
        fetch: async (url, init) => {
          const eventId = new Headers(init?.headers).get('mixpay-checkout-event-id') ?? '';
          sends.push(eventId);
          if (sends.length === 1) {
            // The first merchant answer takes two minutes: past the lease of a claim stamped at the round's start.
            clock.advance(120_000);
          } else if (!other) {
            // While the slow sender holds the second event, another process runs a round.
            other = sender();
            await other.runOnce();
          }
          return fetch(url, init);
        },
      });
      await slow.runOnce();
      const ours = received.filter((r) => eventIds.has(r.eventId)).map((r) => r.eventId);
      assert.equal(ours.length, 2, `deliveries: ${ours.join(', ')}`);
      assert.equal(new Set(ours).size, 2);
    });

    test('rotating secrets: every active secret signs', async () => {
      await paidOrder();
      await sender(['new-secret-0123456789', SECRET]).runOnce();
      const got = received[0]!;
      assert.equal(got.signature.match(/v1=/g)?.length, 2);
      for (const secret of ['new-secret-0123456789', SECRET]) {
        assert.ok(verifyWebhook(got.body, got.signature, secret, { nowSeconds: Math.floor(clock.ms / 1000) }));
      }
    });

    test('an unreachable merchant counts as a failed attempt with the network error logged', async () => {
      const order = await insertOrder(store, { callback_url: 'http://127.0.0.1:9/unreachable', now: clock.ms });
      await transitionOrder(store.db, order.id, 'CANCELED', 'test', {}, null, clock.ms);
      await sender().runOnce();
      const [n] = await notificationsOf(store.db, order.id);
      assert.equal(n?.state, 'pending');
      assert.equal(n?.attempt_log[0]?.outcome, 'unreachable');
      assert.equal(n?.next_attempt_at, clock.ms + 60_000);
      assert.ok(n?.last_error);
    });

    test('stop() leaves no timer behind', async () => {
      const timers = watchTimers(new URL('../../server/core/worker-loop.ts', import.meta.url));
      try {
        const worker = sender().start(10);
        // The next run is scheduled only once the first round (database reads) ends: wait for it.
        await eventually(() => timers.scheduled >= 1, 10_000, 'the loop to schedule its next run');
        assert.ok(timers.scheduled >= 1, 'the loop scheduled its next run');
        await worker.stop();
        assert.equal(timers.pending, 0, 'no run is left scheduled');
      } finally {
        timers.restore();
      }
    });
  });
}
