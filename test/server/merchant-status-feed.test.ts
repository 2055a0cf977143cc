/**
 * The change feed behind GET /v1/orders/{id}/events (issue 12 §3): one read per change for any
 * number of streams, no polling, news from another process through PostgreSQL's NOTIFY, a
 * catch-up read when the LISTEN connection comes back, and a final event on shutdown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type KyselyPlugin } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { seedOrders } from '../support/order-rows.ts';
import { readEvents } from '../support/sse.ts';
import { eventually, sleep } from '../support/wait.ts';
import { openStore, type Store } from '../../server/store/db.ts';
import { transitionOrder } from '../../server/merchant/order-store.ts';
import { StatusBus } from '../../server/merchant/status-bus.ts';
import { StatusFeed, type StatusMessage } from '../../server/merchant/status-feed.ts';

/** Counts the statements a database runs (through Kysely: without the direct hot reads). */
function counting(store: Store): { store: Store; count: () => number } {
  let statements = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      statements += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { store: { ...store, sqlite: undefined, pool: undefined, db: store.db.withPlugin(plugin) }, count: () => statements };
}

for (const backend of await backends()) {
  describe(`status change feed on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;

    before(async () => {
      store = await backend.create();
      stack = await startStack(store);
    });
    after(async () => {
      await stack.close();
      await store.dispose();
    });

    test('a change reaches 200 followers with one read, the same message to each', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const { store: counted, count } = counting(store);
      const bus = new StatusBus();
      const feed = new StatusFeed({ store: counted, bus, payeeName: null, log: () => {} });
      const received: StatusMessage[][] = [];
      for (let i = 0; i < 200; i++) {
        const mine: StatusMessage[] = [];
        received.push(mine);
        const { current } = await feed.follow(id!, { send: (m) => mine.push(m), heartbeat: () => {}, end: () => {} });
        assert.equal(current?.version, 1);
      }
      const before = count();
      await transitionOrder(store.db, id!, 'PAID', 'test', {}, null, Date.now());
      bus.publish(id!);
      bus.publish(id!);
      // Wait for the news to reach every follower (a database read away), then give any further
      // read the same 300 ms the count had before.
      await eventually(() => received.every((mine) => mine.some((m) => m.version === 2)), 10_000, 'the PAID message at every follower');
      await sleep(300);
      const reads = count() - before;
      assert.ok(reads <= 2, `${reads} reads for 200 followers`);
      const paid = received.map((mine) => mine.find((m) => m.version === 2));
      assert.ok(paid.every((m) => m && m === paid[0] && m.final), 'every follower got the one PAID message');
      await feed.close();
    });

    test('closing twice at once, as a shutdown does, ends the LISTEN connection once', async () => {
      let closes = 0;
      const listening: Store = {
        ...store,
        listenForChanges: () => ({
          close: async () => {
            closes += 1;
            await new Promise((resolve) => setTimeout(resolve, 20));
          },
        }),
      };
      const feed = new StatusFeed({ store: listening, bus: new StatusBus(), payeeName: null, log: () => {} });
      feed.statusCache();
      await Promise.all([feed.close(), feed.close()]);
      await feed.close();
      assert.equal(closes, 1);
    });

    test('an idle stream reads nothing; a heartbeat keeps it open; shutdown ends it with a final event', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const { store: counted, count } = counting(store);
      const bus = new StatusBus();
      const feed = new StatusFeed({ store: counted, bus, payeeName: null, log: () => {}, heartbeatMs: 50 });
      const beats: number[] = [];
      let ended = false;
      await feed.follow(id!, { send: () => {}, heartbeat: () => beats.push(Date.now()), end: () => (ended = true) });
      const before = count();
      await sleep(400);
      // Heartbeats every 50 ms: three are due by now, but a loaded machine may run the timers late.
      await eventually(() => beats.length >= 3, 10_000, 'three heartbeats');
      assert.equal(count() - before, 0, 'no polling');
      assert.ok(beats.length >= 3, `${beats.length} heartbeats`);
      await feed.close();
      assert.equal(ended, true);

      // Over HTTP: the stream ends with an `event: closing` (and a retry hint).
      const shutdownStack = await startStack(store);
      const events = readEvents(await fetch(`${shutdownStack.url}/v1/orders/${id}/events`));
      assert.ok(await events.until(/"status":"NEW"/));
      await shutdownStack.deps.feed.close();
      assert.ok(await events.until(/event: closing\nretry: 2000/), events.text());
      assert.ok(await events.ended());
      await shutdownStack.close();
    });

    test('without Node\'s response at hand (app.request), Hono\'s streamSSE carries the same frames', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const response = await stack.app.request(`/v1/orders/${id}/events`);
      assert.equal(response.headers.get('content-type')?.split(';')[0], 'text/event-stream');
      const events = readEvents(response);
      assert.ok(await events.until(/event: status\nid: 1\ndata: \{"order_id"/));
      await transitionOrder(store.db, id!, 'CANCELED', 'test', {}, null, Date.now());
      stack.deps.bus.publish(id!);
      assert.ok(await events.until(/"status":"CANCELED"/), events.text());
      assert.ok(await events.ended());
    });

    if (backend.name === 'postgres') {
      test('a change made by another process reaches the stream through NOTIFY, also after the LISTEN connection is cut', async () => {
        // "Another process": its own pool and no bus shared with the stack.
        const other = openStore(store.url);
        try {
          const ids = await seedOrders(store, 2, { createdAt: () => Date.now() });
          const first = readEvents(await fetch(`${stack.url}/v1/orders/${ids[0]}/events`));
          assert.ok(await first.until(/"status":"NEW"/));
          await transitionOrder(other.db, ids[0]!, 'PENDING', 'test', {}, null, Date.now());
          assert.ok(await first.until(/"status":"PENDING"/, 10_000), first.text());

          // Cut the feed's LISTEN connection, change an order while it is down: the catch-up read finds it.
          const second = readEvents(await fetch(`${stack.url}/v1/orders/${ids[1]}/events`));
          assert.ok(await second.until(/"status":"NEW"/));
          await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN%' and datname = current_database()`.execute(other.db);
          await transitionOrder(other.db, ids[1]!, 'PAID', 'test', {}, null, Date.now());
          assert.ok(await second.until(/"status":"PAID"/, 8000), second.text());
          assert.ok(await second.ended());
          await transitionOrder(other.db, ids[0]!, 'PAID', 'test', {}, null, Date.now());
          assert.ok(await first.until(/"status":"PAID"/, 10_000), 'news flows again after the reconnect');
          await first.cancel();
        } finally {
          await other.close();
        }
      });
    }
  });
}
