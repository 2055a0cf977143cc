/**
 * Issue 11 §5: events of one order go out in order while the endpoint is healthy, but a failing
 * earlier event does not hold a later one once the endpoint has shown it works; an answer that
 * says the request itself is wrong is not retried and shows as `failed`; settlement news on a
 * PAID order is an event of its own. Both backends, a settable clock, a real HTTP merchant.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../support/stores.ts';
import { listen, type Listening } from '../support/http.ts';
import { insertOrder, TestClock } from '../support/orders.ts';
import { findOrder, transitionOrder } from '../../server/merchant/order-store.ts';
import { notificationsOf, resendNotification } from '../../server/merchant/notifications.ts';
import { isRefusal } from '../../server/merchant/notification-schedule.ts';
import { NotificationDelivery } from '../../server/merchant/workers/notification-delivery.ts';
import { syncOrderWithMixPay } from '../../server/merchant/payment-sync.ts';
import type { MixPayClient } from '../../server/mixpay/client.ts';
import { endpointHealth } from '../../server/admin/notification-health.ts';
import type { MerchantNotification } from '../../server/merchant/notification-types.ts';

describe('which answers are refusals (pure)', () => {
  test('a 4xx other than 408, 425 and 429 is not retried; 5xx and those three are', () => {
    for (const status of [400, 401, 403, 404, 410, 422]) assert.equal(isRefusal(status), true, String(status));
    for (const status of [200, 301, 408, 425, 429, 500, 502, 503]) assert.equal(isRefusal(status), false, String(status));
  });
});

for (const backend of await backends()) {
  describe(`notification order on ${backend.name}`, () => {
    let store: TestStore;
    let merchant: Listening;
    let received: MerchantNotification[] = [];
    /** The merchant's answer for a body; 200 unless a test says otherwise. */
    let answerFor: (body: MerchantNotification) => number = () => 200;
    const clock = new TestClock();
    const logs: string[] = [];

    before(async () => {
      store = await backend.create();
      merchant = await listen(async (request) => {
        const body = JSON.parse(await request.text()) as MerchantNotification;
        const status = answerFor(body);
        if (status === 200) received.push(body);
        return new Response(status === 200 ? 'ok' : 'no', { status });
      });
    });
    after(async () => {
      await merchant.close();
      await store.dispose();
    });
    afterEach(() => {
      received = [];
      answerFor = () => 200;
    });

    const sender = () => new NotificationDelivery({ db: store.db, secrets: ['order-secret-0123456789'], now: clock.now, log: (l) => logs.push(l), timeoutMs: 2000 });
    const statuses = (orderId: string) => received.filter((b) => b.order_id === orderId).map((b) => b.status);

    async function orderWithTwoEvents(path: string) {
      const order = await insertOrder(store, { callback_url: `${merchant.url}${path}`, now: clock.ms });
      await transitionOrder(store.db, order.id, 'PENDING', 'test:pending', {}, null, clock.ms);
      await transitionOrder(store.db, order.id, 'PAID', 'test:paid', { pay_amount: '10.5', pay_currency: 'USDT' }, null, clock.ms);
      return order;
    }

    test('a healthy endpoint gets one order\'s events in order: the later waits for the earlier\'s first attempt', async () => {
      const order = await orderWithTwoEvents('/hooks?order=1');
      const worker = sender();
      await worker.runOnce();
      assert.deepEqual(statuses(order.id), ['PENDING'], 'PAID is not sent in the same round as PENDING');
      clock.advance(1000);
      await worker.runOnce();
      assert.deepEqual(statuses(order.id), ['PENDING', 'PAID']);
      const bodies = received.filter((b) => b.order_id === order.id);
      assert.ok(bodies[0]!.meta.order_version < bodies[1]!.meta.order_version, 'order_version tells the merchant which is newer');
      assert.deepEqual(bodies.map((b) => b.meta.event), ['order.status_changed', 'order.status_changed']);
    });

    test('a failing earlier event holds the later one only until the endpoint answers 2xx to anything', async () => {
      // The merchant's handler breaks on this one PENDING body; the endpoint itself works.
      const order = await orderWithTwoEvents('/hooks?order=2');
      answerFor = (body) => (body.order_id === order.id && body.status === 'PENDING' ? 500 : 200);
      const worker = sender();
      await worker.runOnce();
      assert.deepEqual(statuses(order.id), [], 'PENDING failed');
      clock.advance(1000);
      await worker.runOnce();
      assert.deepEqual(statuses(order.id), [], 'nothing shows the endpoint works yet: PAID still waits');
      // Another order's event reaches the same endpoint (same origin, another query).
      const other = await insertOrder(store, { callback_url: `${merchant.url}/hooks?order=3`, now: clock.ms });
      await transitionOrder(store.db, other.id, 'PAID', 'test:paid', {}, null, clock.ms);
      clock.advance(1000);
      await worker.runOnce();
      assert.deepEqual(statuses(other.id), ['PAID']);
      // Within a minute of that (the held event's next look), PAID goes, long before PENDING's back-off ends.
      for (let i = 0; i < 6 && !statuses(order.id).length; i++) {
        clock.advance(10_000);
        await worker.runOnce();
      }
      assert.deepEqual(statuses(order.id), ['PAID'], 'the later event was sent while the earlier one still fails');
      const [pending, paid] = await notificationsOf(store.db, order.id);
      assert.equal(pending!.state, 'pending', 'the earlier one keeps its own schedule');
      assert.equal(paid!.state, 'delivered');
    });

    test('a 4xx refusal is not retried: the event is failed, shown per endpoint, releases later events, and can be resent', async () => {
      const order = await orderWithTwoEvents('/refusing');
      answerFor = (body) => (body.status === 'PENDING' ? 400 : 200);
      const worker = sender();
      await worker.runOnce();
      let [pending] = await notificationsOf(store.db, order.id);
      assert.equal(pending!.state, 'failed');
      assert.equal(pending!.next_attempt_at, null);
      assert.match(pending!.last_error ?? '', /^400/);
      assert.ok(logs.some((l) => l.includes(pending!.id) && /not retried/.test(l)));
      clock.advance(1000);
      await worker.runOnce();
      assert.deepEqual(statuses(order.id), ['PAID'], 'a failed event holds nothing');
      for (let i = 0; i < 5; i++) {
        clock.advance(3_600_000);
        await worker.runOnce();
      }
      [pending] = await notificationsOf(store.db, order.id);
      assert.equal(pending!.attempt_log.length, 1, 'never tried again on the schedule');
      const health = (await endpointHealth(store.db)).find((e) => e.url === `${merchant.url}/refusing`)!;
      assert.equal(health.failed, 1);
      assert.ok(health.last_error?.startsWith('400'));

      answerFor = () => 200;
      await resendNotification(store.db, pending!.id, clock.ms);
      await worker.runOnce();
      [pending] = await notificationsOf(store.db, order.id);
      assert.equal(pending!.state, 'delivered', 'the operator resends it once the endpoint is fixed');
    });

    test('settlement news on a PAID order is an order.settled event with the settle data, once', async () => {
      const order = await insertOrder(store, { callback_url: `${merchant.url}/settle`, now: clock.ms });
      await transitionOrder(store.db, order.id, 'PAID', 'test:paid', { pay_amount: '10.5', pay_currency: 'USDT', settle_status: 'pending' }, null, clock.ms);
      const result = {
        status: 'success',
        payeeId: order.payee_id,
        quoteAmount: '10.5',
        quoteAssetId: 'usd',
        orderId: order.mixpay_order_id,
        traceId: '',
        paymentAmount: '10.5',
        paymentSymbol: 'USDT',
        paymentAssetId: order.settlement_asset_id,
        settleStatus: 'success',
        settleAmount: '10.4',
        settleAsset: order.settlement_asset_id,
        settleSymbol: 'USDT',
      };
      const mixpay = { getPaymentResult: async () => result } as unknown as MixPayClient;
      const deps = { store, mixpay, now: clock.now, incomeCheck: false } as unknown as Parameters<typeof syncOrderWithMixPay>[0];
      const first = await syncOrderWithMixPay(deps, (await findOrder(store.db, order.id))!, 'callback');
      assert.equal(first.kind, 'changed');
      const again = await syncOrderWithMixPay(deps, (await findOrder(store.db, order.id))!, 'callback');
      assert.equal(again.kind, 'not_awaiting', 'a settled PAID order awaits nothing more');
      const events = await notificationsOf(store.db, order.id);
      assert.deepEqual(events.map((n) => [n.previous_status, n.order_status]), [['NEW', 'PAID'], ['PAID', 'PAID']]);
      const worker = sender();
      await worker.runOnce();
      clock.advance(1000);
      await worker.runOnce();
      const bodies = received.filter((b) => b.order_id === order.id);
      assert.deepEqual(bodies.map((b) => b.meta.event), ['order.status_changed', 'order.settled']);
      assert.deepEqual([bodies[1]!.meta.settle_status, bodies[1]!.meta.settle_amount, bodies[1]!.meta.settle_asset], ['success', '10.4', order.settlement_asset_id]);
      assert.equal(bodies[1]!.status, 'PAID');
    });

    test('408, 425 and 429 are retried on the schedule', async () => {
      for (const status of [408, 425, 429]) {
        const order = await insertOrder(store, { callback_url: `${merchant.url}/busy-${status}`, now: clock.ms });
        await transitionOrder(store.db, order.id, 'PAID', 'test:paid', {}, null, clock.ms);
        answerFor = () => status;
        await sender().runOnce();
        const [n] = await notificationsOf(store.db, order.id);
        assert.equal(n!.state, 'pending', String(status));
        assert.equal(n!.next_attempt_at, clock.ms + 60_000);
      }
    });
  });
}
