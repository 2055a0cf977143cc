/**
 * The status route's cache (issue 12 §2): polls of an unchanged order touch no database, every
 * change shows at the next poll (through `transitionOrder` or `patchOrder` in this process, from
 * another process through NOTIFY on PostgreSQL or SQLite's data_version), a feed that may have
 * missed changes stops the cache, and neither a stranger's random ids nor many orders grow it past
 * its bound.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import { seedOrders } from '../support/order-rows.ts';
import { eventually } from '../support/wait.ts';
import { openStore, type Store } from '../../server/store/db.ts';
import { listenForOrderChanges, type ChangeHandlers } from '../../server/store/change-channel.ts';
import { patchOrder, transitionOrder } from '../../server/merchant/order-store.ts';
import { statusReadsOf } from '../../server/merchant/status-reads.ts';
import { StatusCache } from '../../server/merchant/status-cache.ts';

/** Counts the status reads that reach the database. */
function countReads(store: Store): () => number {
  const reads = statusReadsOf(store);
  let count = 0;
  for (const name of ['version', 'status'] as const) {
    const original = reads[name].bind(reads);
    reads[name] = (async (id: string) => {
      count += 1;
      return original(id);
    }) as never;
  }
  return () => count;
}

async function poll(stack: Stack, id: string, etag?: string): Promise<{ status: number; etag: string | null; version?: number; orderStatus?: string }> {
  const response = await fetch(`${stack.url}/v1/orders/${id}/status`, { headers: etag ? { 'if-none-match': etag } : {} });
  const body = response.status === 200 ? ((await response.json()) as { version: number; status: string }) : (await response.arrayBuffer(), undefined);
  return { status: response.status, etag: response.headers.get('etag'), version: body?.version, orderStatus: body?.status };
}

for (const backend of await backends()) {
  describe(`status cache on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;
    let reads: () => number;

    before(async () => {
      store = await backend.create();
      stack = await startStack(store);
      reads = countReads(store);
      // On PostgreSQL the cache serves once the feed's LISTEN connection is up.
      const cache = stack.deps.feed.statusCache();
      await eventually(() => cache.live, 5000, 'the feed to listen');
    });
    after(async () => {
      await stack.close();
      await store.dispose();
    });

    test('polls of an unchanged order, 200 and 304, read nothing after the first', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const first = await poll(stack, id!);
      assert.equal(first.status, 200);
      const before = reads();
      for (let i = 0; i < 5; i++) assert.equal((await poll(stack, id!)).status, 200);
      for (let i = 0; i < 5; i++) assert.equal((await poll(stack, id!, first.etag!)).status, 304);
      assert.equal(reads() - before, 0);
      // Written straight to Node's response: the headers set before still go with it.
      const notModified = await fetch(`${stack.url}/v1/orders/${id}/status`, { headers: { 'if-none-match': first.etag! } });
      assert.equal(notModified.status, 304);
      assert.equal(notModified.headers.get('etag'), first.etag);
      assert.equal(notModified.headers.get('access-control-allow-origin'), '*');
      assert.equal(notModified.headers.get('cache-control'), 'no-cache');
    });

    test('a change through transitionOrder shows at the next poll, without a bus message', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const first = await poll(stack, id!);
      assert.equal(first.orderStatus, 'NEW');
      await transitionOrder(store.db, id!, 'PENDING', 'test', {}, null, Date.now());
      // PostgreSQL: the feed hears of it through NOTIFY, a few milliseconds after the commit.
      const next = await eventually(async () => {
        const answer = await poll(stack, id!, first.etag!);
        return answer.status === 200 && answer;
      }, 5000, 'the new version');
      assert.equal(next.orderStatus, 'PENDING');
      assert.equal(next.version, 2);
      assert.notEqual(next.etag, first.etag);
    });

    test('a change through patchOrder (links, settlement data) shows at the next poll', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const first = await poll(stack, id!);
      await patchOrder(store.db, id!, { failure_reason: 'patched' }, Date.now());
      const next = await eventually(async () => {
        const answer = await poll(stack, id!);
        return answer.version === 2 && answer;
      }, 5000, 'the patched version');
      assert.notEqual(next.etag, first.etag);
    });

    test('a change made by another process shows at the next polls', async () => {
      // Another process: its own connection, and an update that announces nothing in this process.
      const other = openStore(store.url);
      try {
        const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
        assert.equal((await poll(stack, id!)).orderStatus, 'NEW');
        if (backend.name === 'postgres') await transitionOrder(other.db, id!, 'PAID', 'test', {}, null, Date.now());
        else await sql`update orders set status = 'PAID', version = version + 1 where id = ${id}`.execute(other.db);
        const next = await eventually(async () => (await poll(stack, id!)).orderStatus === 'PAID', 5000, 'the other process\'s change');
        assert.ok(next);
      } finally {
        await other.close();
      }
    });

    test('random unknown ids are answered 404 and never kept', async () => {
      const cache = stack.deps.feed.statusCache();
      const size = cache.size;
      for (let i = 0; i < 50; i++) assert.equal((await poll(stack, randomUUID())).status, 404);
      assert.equal((await poll(stack, 'not-an-id')).status, 404);
      assert.equal(cache.size, size);
    });
  });

  describe(`status cache on ${backend.name} with a feed that loses its connection`, () => {
    let store: TestStore;
    let stack: Stack;
    let handlers: ChangeHandlers | undefined;

    before(async () => {
      store = await backend.create();
      // A LISTEN connection the test connects and cuts at will (on SQLite too: the same rule).
      const fake: Store = { ...store, listenForChanges: (given) => ((handlers = given), { close: async () => {} }) };
      stack = await startStack(fake);
    });
    after(async () => {
      await stack.close();
      await store.dispose();
    });

    test('the cache serves only while the feed is connected, and starts empty after a reconnect', async () => {
      const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
      const cache = stack.deps.feed.statusCache();
      assert.ok(handlers, 'the feed listens once the status route is asked');
      assert.equal(cache.live, false);
      assert.equal((await poll(stack, id!)).orderStatus, 'NEW');
      assert.equal(cache.size, 0, 'nothing kept before the feed is connected');

      handlers!.onConnect();
      assert.equal((await poll(stack, id!)).orderStatus, 'NEW');
      assert.equal(cache.size, 1);
      // A change whose message is lost: the cache, trusted, still answers the old version...
      await sql`update orders set status = 'PAID', version = version + 1 where id = ${id}`.execute(store.db);
      assert.equal((await poll(stack, id!)).orderStatus, 'NEW');
      // ...until the feed says it may have missed something: then every poll reads.
      handlers!.onDisconnect!();
      assert.equal(cache.live, false);
      assert.equal((await poll(stack, id!)).orderStatus, 'PAID');
      await sql`update orders set status = 'EXPIRED', version = version + 1 where id = ${id}`.execute(store.db);
      assert.equal((await poll(stack, id!)).orderStatus, 'EXPIRED');
      assert.equal(cache.size, 0);
      handlers!.onConnect();
      assert.equal(cache.live, true);
      assert.equal((await poll(stack, id!)).orderStatus, 'EXPIRED');
      // A change message drops the order's entry.
      await sql`update orders set status = 'CANCELED', version = version + 1 where id = ${id}`.execute(store.db);
      handlers!.onChange(id!, 5);
      assert.equal((await poll(stack, id!)).orderStatus, 'CANCELED');
    });
  });

  if (backend.name === 'postgres') {
    test('the LISTEN connection reports its loss and its return', async () => {
      const store = await backend.create();
      const events: string[] = [];
      const listener = listenForOrderChanges((await import('pg')).default, store.url, {
        onChange: () => {},
        onConnect: () => events.push('connect'),
        onDisconnect: () => events.push('disconnect'),
        log: () => {},
      });
      try {
        await eventually(() => events.includes('connect'), 5000, 'the first connect');
        await sql`select pg_terminate_backend(pid) from pg_stat_activity where query ilike 'LISTEN%' and datname = current_database()`.execute(store.db);
        await eventually(() => events.join(',') === 'connect,disconnect,connect', 8000, 'the loss and the reconnect');
      } finally {
        await listener.close();
        await store.dispose();
      }
    });
  }
}

test('the cache keeps at most its bound, the least recently asked going first, and refuses answers read across a change', () => {
  const cache = new StatusCache(3);
  cache.setLive(true);
  const doc = (version: number) => ({ version, etag: `W/"x.${version}"`, body: '{}', payeeName: null });
  for (const id of ['a', 'b', 'c']) cache.put(id, doc(1), cache.mark());
  assert.ok(cache.get('a'));
  cache.put('d', doc(1), cache.mark());
  assert.equal(cache.size, 3);
  assert.equal(cache.get('b'), undefined, 'the least recently asked went');
  assert.ok(cache.get('a') && cache.get('c') && cache.get('d'));

  const mark = cache.mark();
  cache.drop('e');
  cache.put('e', doc(1), mark);
  assert.equal(cache.get('e'), undefined, 'read before a change: not kept');
  const reconnected = cache.mark();
  cache.setLive(true);
  cache.put('f', doc(1), reconnected);
  assert.equal(cache.size, 0, 'a reconnect empties it and refuses reads from before');
  cache.setLive(false);
  cache.put('g', doc(1), cache.mark());
  assert.equal(cache.get('g'), undefined, 'nothing kept or served while not live');
});
