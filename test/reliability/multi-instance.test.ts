/**
 * Three server processes on one PostgreSQL database behind a round-robin proxy (issue 12 §8), as
 * a merchant would run them. 30 orders are paid; MixPay's callback for each lands on an instance
 * other than the one the order's event stream is connected to. Every stream shows PAID (the
 * change crosses processes through NOTIFY), every notification reaches the merchant exactly once
 * although three notification senders run, and every reconciliation check is made once although
 * three reconcilers race for it.
 *
 * In dev mode each instance mounts its own sandbox with in-memory state, so every instance uses
 * instance 0's sandbox as MixPay (through a counting proxy), and that sandbox calls back through
 * the front proxy (PUBLIC_URL).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backends, type TestStore } from '../support/stores.ts';
import { freePort } from '../support/ports.ts';
import { readEvents, type EventReader } from '../support/sse.ts';
import { eventually } from '../support/stack.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { startProxy, type LoopbackProxy } from './loopback-proxy.ts';

const INSTANCES = 3;
const PAID_ORDERS = 30;
const CHECKED_ORDERS = 6;
const KEY = 'dev-merchant-key';

const postgres = (await backends()).find((backend) => backend.name === 'postgres');

describe('three instances on one PostgreSQL database', { skip: postgres ? false : 'no PostgreSQL' }, () => {
  let store: TestStore;
  let instances: ServerProcess[] = [];
  let front: LoopbackProxy;
  let mixpay: LoopbackProxy;
  let receiver: Server;
  let receiverUrl: string;
  const received = new Map<string, { orderId: string; status: string; event: string; count: number }>();
  /** Which instance each order's event stream is connected to, by MixPay's orderId (our mixpay_order_id). */
  const streamInstance = new Map<string, number>();

  before(async () => {
    store = await postgres!.create();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const eventId = String(request.headers['mixpay-checkout-event-id']);
        const parsed = JSON.parse(body) as { order_id: string; status: string; meta: { event: string } };
        const entry = received.get(eventId) ?? { orderId: parsed.order_id, status: parsed.status, event: parsed.meta.event, count: 0 };
        entry.count += 1;
        received.set(eventId, entry);
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    // MixPay's callback goes to an instance other than the one holding the order's stream.
    front = await startProxy(() => urls, (request, next) => {
      if (request.method !== 'POST' || !request.url.startsWith('/mixpay/callback')) return next();
      const holder = streamInstance.get((JSON.parse(request.body) as { orderId: string }).orderId);
      return holder === undefined ? next() : (holder + 1 + (next() % (INSTANCES - 1))) % INSTANCES;
    });
    mixpay = await startProxy(() => [urls[0]!]);
    instances = await Promise.all(
      ports.map((port) =>
        startServerProcess(store.url, {
          PORT: String(port),
          PUBLIC_URL: front.url,
          MIXPAY_API_BASE: `${mixpay.url}/sandbox/mixpay/v1`,
          MIXPAY_PAY_BASE: `${urls[0]}/sandbox/mixpay`,
          SANDBOX_RATE_LIMIT_PER_MINUTE: 'unlimited',
          // This test is about instances, not the budget: with the sandbox's callbacks retried on a
          // thousandth of MixPay's schedule, a saturated 60-a-minute budget would outlast every retry.
          MIXPAY_RATE_LIMIT_PER_MINUTE: '600',
          NOTIFY_INTERVAL_MS: '200',
          RECONCILE_INTERVAL_MS: '200',
        }),
      ),
    );
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await front?.close();
    await mixpay?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await store?.dispose();
  });

  /** Creates an order through the front proxy, waiting out our MixPay budget when it says so. */
  async function createOrder(index: number): Promise<{ id: string; code: string; mixpayOrderId: string }> {
    for (;;) {
      const response = await fetch(`${front.url}/v1/orders`, {
        method: 'POST',
        headers: { token: KEY, 'content-type': 'application/json' },
        body: JSON.stringify({ merchant_order_id: `multi-${index}`, price_amount: '2.50', price_currency: 'USD', callback_url: receiverUrl }),
      });
      if (response.status === 429) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
        continue;
      }
      assert.equal(response.status, 200, await response.clone().text());
      const body = (await response.json()) as { order: { order_id: string }; links: { checkout_url: string } };
      const row = await store.db.selectFrom('orders').select('mixpay_order_id').where('id', '=', body.order.order_id).executeTakeFirstOrThrow();
      return { id: body.order.order_id, code: body.links.checkout_url.split('/code/')[1]!, mixpayOrderId: row.mixpay_order_id };
    }
  }

  test('30 paid orders: every stream shows PAID, every notification arrives once', { timeout: 300_000 }, async (t) => {
    const orders: Array<{ id: string; code: string; mixpayOrderId: string; stream: EventReader }> = [];
    for (let i = 0; i < PAID_ORDERS; i++) {
      const order = await createOrder(i);
      streamInstance.set(order.mixpayOrderId, i % INSTANCES);
      const stream = readEvents(await fetch(`${instances[i % INSTANCES]!.url}/v1/orders/${order.id}/events`));
      assert.ok(await stream.until(/"status":"NEW"/), `order ${i} stream opened`);
      orders.push({ ...order, stream });
    }
    // One at a time: MixPay's budget (shared through the database) allows about one call a second.
    const delays: number[] = [];
    /** From the PAID transition on the callback's instance (its updated_at) to this stream. */
    const crossings: number[] = [];
    for (const [i, order] of orders.entries()) {
      const paidAt = performance.now();
      const paid = await fetch(`${instances[0]!.url}/sandbox/mixpay/payments/${order.code}/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome: 'success' }),
      });
      assert.equal(paid.status, 200, await paid.clone().text());
      assert.ok(await order.stream.until(/"status":"PAID"/, 30_000), `order ${i}: the stream on instance ${i % INSTANCES} shows PAID\n${order.stream.text()}`);
      delays.push(performance.now() - paidAt);
      const seenAt = Date.now();
      const updatedAt = /"status":"PAID".*?"updated_at":"([^"]+)"/.exec(order.stream.text())?.[1];
      crossings.push(seenAt - Date.parse(updatedAt!));
      assert.ok(await order.stream.ended(), `order ${i}: the stream ends at PAID`);
    }

    // Figures, not assertions: simulate -> PAID includes waits for MixPay's budget on a shared machine.
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, p95 ${sorted[Math.ceil(sorted.length * 0.95) - 1]!.toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms`;
    };
    t.diagnostic(`simulate -> PAID on another instance's stream: ${summary(delays)}`);
    t.diagnostic(`PAID written on one instance -> shown on another's stream: ${summary(crossings)}`);

    const callbacks = front.seen.filter((r) => r.url.startsWith('/mixpay/callback'));
    for (const order of orders) {
      const landed = callbacks.filter((r) => (JSON.parse(r.body) as { orderId: string }).orderId === order.mixpayOrderId);
      assert.ok(landed.length >= 1, 'a callback for every order');
      assert.ok(landed.every((r) => r.target !== streamInstance.get(order.mixpayOrderId)), 'on another instance than its stream');
    }
    assert.equal(new Set(callbacks.map((r) => r.target)).size, INSTANCES, 'callbacks landed on every instance');

    const changes = () => [...received.values()].filter((e) => e.event === 'order.status_changed');
    await eventually(async () => changes().filter((e) => e.status === 'PAID').length >= PAID_ORDERS, 30_000, 'a PAID notification per order');
    // Three senders had the chance to send each event again: give them a few more rounds.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // An order.settled found late (the last orders' settlement) may still be on its way: wait until
    // every notification written has left 'pending' and been received, however slow the machine,
    // before counting. When that never happens, the assertions below say what is wrong.
    await eventually(async () => {
      const rows = await store.db.selectFrom('notifications').select(['state']).execute();
      return rows.length === received.size && rows.every((n) => n.state !== 'pending');
    }, 30_000, 'every notification delivered').catch(() => {});
    for (const order of orders) {
      const events = changes().filter((e) => e.orderId === order.id);
      assert.deepEqual(events.map((e) => [e.status, e.count]), [['PAID', 1]], `order ${order.id}: one PAID event, delivered once`);
      // The sandbox settles a few ms after the payment: folded into the PAID change, or news of its own.
      const settled = [...received.values()].filter((e) => e.orderId === order.id && e.event === 'order.settled');
      assert.ok(settled.length <= 1 && settled.every((e) => e.count === 1), `order ${order.id}: at most one order.settled, delivered once`);
    }
    const rows = await store.db.selectFrom('notifications').select(['state', 'attempts']).execute();
    assert.equal(rows.length, received.size);
    assert.ok(rows.every((n) => n.state === 'delivered' && n.attempts === 1), JSON.stringify(rows.filter((n) => n.state !== 'delivered' || n.attempts !== 1)));
  });

  test('a due reconciliation check is made once, whichever of the three reconcilers takes it', { timeout: 120_000 }, async () => {
    const orders = [];
    for (let i = 0; i < CHECKED_ORDERS; i++) orders.push(await createOrder(100 + i));
    const ids = orders.map((o) => o.id);
    const callsFor = (mixpayOrderId: string) => mixpay.seen.filter((r) => r.url.includes('/payments_result') && r.url.includes(mixpayOrderId)).length;
    const before = new Map(orders.map((o) => [o.id, callsFor(o.mixpayOrderId)]));
    // Due now, all at once: every reconciler's next round sees them.
    await store.db.updateTable('orders').set({ next_check_at: Date.now(), check_count: 0, last_checked_at: null }).where('id', 'in', ids).execute();
    await eventually(async () => {
      const rows = await store.db.selectFrom('orders').select('last_checked_at').where('id', 'in', ids).execute();
      return rows.every((row) => row.last_checked_at !== null);
    }, 60_000, 'every due order checked');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const order of orders) {
      assert.equal(callsFor(order.mixpayOrderId) - before.get(order.id)!, 1, `order ${order.id}: one payments_result call`);
    }
    const rows = await store.db.selectFrom('orders').select(['status', 'next_check_at']).where('id', 'in', ids).execute();
    assert.ok(rows.every((row) => row.status === 'NEW' && row.next_check_at! > Date.now()), 'unpaid, next check in the future');
  });
});
