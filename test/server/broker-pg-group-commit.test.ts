/**
 * PostgreSQL's group commit of create_order's held-order insert (store/pg-group-commit.ts): the
 * orders that arrive together share one transaction, sent in one round trip with its COMMIT, and
 * run again with a savepoint each when a statement failed, so one member's refusal or taken
 * trace_id undoes only its own part, no caller hears back and nothing is visible
 * before the group's COMMIT, a lost transaction loses every member, and groups of several pools
 * stay exact against one balance.
 *
 * To look inside a group while it is open, a second connection locks the reservation row of the
 * group's last order: the group waits there with its earlier orders written but not committed.
 */
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { eventually } from '../support/wait.ts';
import { jsonPost } from '../support/broker-http.ts';
import { openStore } from '../../server/store/db.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { toUnits } from '../../server/core/amounts.ts';
import { BTC, orderBody, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';

const postgres = (await backends()).find((b) => b.name === 'postgres');

type Answer = { status: number; code: number; data: { checkout_url?: string } };

describe('PostgreSQL group commit of create_order', { skip: postgres ? false : 'no PostgreSQL' }, () => {
  let store: TestStore;
  let deps: TestDeps;
  let app: ReturnType<typeof createBrokerApp>;

  beforeEach(async () => {
    store = await postgres!.create();
    deps = testDeps(store);
    app = createBrokerApp(deps);
  });
  /** Locks still held when a test fails, released before its store is dropped. */
  let unreleased: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const release of unreleased.splice(0)) await release();
    await store.dispose();
  });

  const order = async (body: Record<string, unknown>, on = app): Promise<Answer> => {
    const response = await on.request('/create_order', jsonPost(body));
    return { status: response.status, ...((await response.json()) as { code: number; data: { checkout_url?: string } }) };
  };
  const withBalance = async (balances: Record<string, string>) => {
    deps.fakeMixin.balances = new Map(Object.entries(balances));
    await syncBalances(deps);
  };
  /** Trace ids among `bodies` whose order another connection sees, i.e. committed. */
  const visible = async (bodies: Array<Record<string, unknown>>) =>
    (await store.db.selectFrom('broker_orders').select('trace_id').where('trace_id', 'in', bodies.map((b) => String(b.trace_id))).execute()).map((r) => r.trace_id).sort();
  const botRow = () => store.db.selectFrom('broker_reservations').selectAll().where('scope', '=', 'bot').where('asset_id', '=', USDT).executeTakeFirstOrThrow();

  /** The payees' reservation rows, so that no order of a group is refused as a payee's first. */
  const payeeRows = (payeeIds: string[]) =>
    store.db.insertInto('broker_reservations').values(payeeIds.map((id) => ({ scope: `payee:${id}`, asset_id: USDT, reserved_units: 0, open_orders: 0 }))).onConflict((oc) => oc.doNothing()).execute();

  /** Locks a payee's reservation row on a connection of its own, until `release`. */
  async function lockPayeeRow(payeeId: string) {
    const client = new pg.Client({ connectionString: store.url });
    await client.connect();
    await client.query('begin');
    await client.query('select 1 from broker_reservations where scope = $1 and asset_id = $2 for update', [`payee:${payeeId}`, USDT]);
    let released: Promise<void> | undefined;
    const release = () => (released ??= client.query('commit').then(() => client.end()));
    unreleased.push(release);
    return {
      /** The backend that waits for the lock (asked outside the locking transaction, which would see one snapshot of the activity). */
      waiter: () =>
        eventually(async () => (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(store.db)).rows[0]?.pid, 'a group waiting for the locked row'),
      terminate: (pid: number) => client.query('select pg_terminate_backend($1)', [pid]),
      release,
    };
  }

  /** Sends the orders together; the last one's payee row is locked, so the group stops there. */
  async function sendHeldAtLast(bodies: Array<Record<string, unknown>>) {
    await payeeRows(bodies.map((b) => String(b.payee_id)));
    const lock = await lockPayeeRow(String(bodies.at(-1)!.payee_id));
    let answered = 0;
    const answers = Promise.all(bodies.map((body) => order(body).finally(() => (answered += 1))));
    const pid = await lock.waiter();
    // One group on one connection waits. With a transaction per order, the orders before the
    // locked one would have committed (and be visible) or wait behind it for the bot's row.
    const waiting = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(store.db);
    assert.deepEqual(waiting.rows.map((r) => r.pid), [pid]);
    return { lock, pid, answers, answered: () => answered };
  }

  test('nothing of a group is answered or visible before its COMMIT, and then all of it is', async () => {
    await withBalance({ [USDT]: '100' });
    const bodies = Array.from({ length: 3 }, () => orderBody(deps.now(), { amount: '1', payee_id: randomUUID() }));
    const held = await sendHeldAtLast(bodies);
    // The first two orders are written in the group's transaction, which has not committed.
    assert.deepEqual(await visible(bodies), []);
    assert.equal(held.answered(), 0);
    await held.lock.release();
    assert.deepEqual((await held.answers).map((a) => a.code), [0, 0, 0]);
    assert.equal((await visible(bodies)).length, 3);
    assert.equal(Number((await botRow()).open_orders), 3);
  });

  /** What the group's connections are sent, in order, and when each statement's answer came back. */
  function recordQueries() {
    const log: string[] = [];
    store.pool!.on('acquire', (client) => {
      if ((client as { recorded?: boolean }).recorded) return;
      (client as { recorded?: boolean }).recorded = true;
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        const name = /^(begin|commit|savepoint|rollback)/.test(text) ? text : text.startsWith('with ins') ? 'insert' : 'other';
        log.push(`sent ${name}`);
        const answer = query(...args);
        if (name === 'insert') void answer.then(() => log.push('answered insert'), () => log.push('failed insert'));
        return answer;
      };
    });
    return log;
  }

  test('a group with no failure goes out in one round trip, COMMIT included, with no savepoints', async () => {
    await withBalance({ [USDT]: '100' });
    const bodies = Array.from({ length: 3 }, () => orderBody(deps.now(), { amount: '1' }));
    await payeeRows([String(bodies[0]!.payee_id)]);
    const log = recordQueries();
    assert.deepEqual((await Promise.all(bodies.map((body) => order(body)))).map((a) => a.code), [0, 0, 0]);
    const inserts = log.slice(0, log.indexOf('answered insert'));
    assert.deepEqual(inserts, ['sent begin', 'sent insert', 'sent insert', 'sent insert', 'sent commit']);
    assert.equal(log.filter((line) => line.includes('savepoint')).length, 0);
  });

  test('a group in which a statement failed is sent again with a savepoint per member, and only that member is undone', async () => {
    await withBalance({ [USDT]: '2' });
    const bodies = ['1', '5', '1'].map((amount) => orderBody(deps.now(), { amount }));
    await payeeRows([String(bodies[0]!.payee_id)]);
    const log = recordQueries();
    assert.deepEqual((await Promise.all(bodies.map((body) => order(body)))).map((a) => a.code), [0, 11002, 0]);
    const passes = log.filter((line) => line.startsWith('sent begin'));
    // The inserts all at once, again one savepoint each, then the two moves to NEW all at once.
    assert.deepEqual(passes, ['sent begin', 'sent begin; savepoint m0', 'sent begin']);
    assert.equal(Number((await botRow()).open_orders), 2);
  });

  test('a refused member is rolled back to its savepoint and the others of its group commit', async () => {
    await withBalance({ [USDT]: '2' });
    const bodies = ['1', '5', '1'].map((amount) => orderBody(deps.now(), { amount, payee_id: randomUUID() }));
    const held = await sendHeldAtLast(bodies);
    assert.deepEqual(await visible(bodies), []);
    await held.lock.release();
    assert.deepEqual((await held.answers).map((a) => a.code), [0, 11002, 0]);
    assert.deepEqual(await visible(bodies), [bodies[0]!.trace_id, bodies[2]!.trace_id].map(String).sort());
    const bot = await botRow();
    assert.equal(String(bot.reserved_units), toUnits('2'));
    assert.equal(Number(bot.open_orders), 2);
  });

  test('a group whose last member is refused commits the ones before it', async () => {
    // The refusal leaves the transaction aborted with no member after it to undo it first.
    await withBalance({ [USDT]: '2' });
    const bodies = ['1', '1', '5'].map((amount) => orderBody(deps.now(), { amount }));
    await payeeRows([String(bodies[0]!.payee_id)]);
    const answers = await Promise.all(bodies.map((body) => order(body)));
    assert.deepEqual(answers.map((a) => a.code), [0, 0, 11002]);
    const rows = await store.db.selectFrom('broker_orders').select(['trace_id', 'status']).where('trace_id', 'in', bodies.map((b) => String(b.trace_id))).orderBy('trace_id').execute();
    assert.deepEqual(rows, bodies.slice(0, 2).map((b) => ({ trace_id: String(b.trace_id), status: 'NEW' })).sort((a, b) => a.trace_id.localeCompare(b.trace_id)));
    assert.equal(Number((await botRow()).open_orders), 2);
  });

  test('a group whose transaction is lost rejects every member and leaves nothing of them', async () => {
    await withBalance({ [USDT]: '100' });
    const bodies = Array.from({ length: 3 }, () => orderBody(deps.now(), { amount: '1', payee_id: randomUUID() }));
    const held = await sendHeldAtLast(bodies);
    await held.lock.terminate(held.pid);
    const answers = await held.answers;
    await held.lock.release();
    assert.deepEqual(answers.map((a) => a.status), [500, 500, 500]);
    assert.deepEqual(await visible(bodies), []);
    const bot = await botRow();
    assert.equal(Number(bot.reserved_units), 0);
    assert.equal(Number(bot.open_orders), 0);
    // The pool dropped the lost client; the next group gets a working one.
    assert.equal((await order(orderBody(deps.now(), { amount: '1' }))).code, 0);
  });

  test('orders with taken trace_ids in a group: a repeat gets its links, a duplicate within the group the first one\'s, one wallet order each', async () => {
    await withBalance({ [USDT]: '100' });
    const earlier = orderBody(deps.now(), { amount: '1' });
    const first = await order(earlier);
    assert.equal(first.code, 0);
    const fresh = orderBody(deps.now(), { amount: '1', payee_id: randomUUID() });
    const last = orderBody(deps.now(), { amount: '1', payee_id: randomUUID() });
    const held = await sendHeldAtLast([fresh, earlier, { ...fresh }, last]);
    assert.deepEqual(await visible([fresh, last]), []);
    await held.lock.release();
    const answers = await held.answers;
    assert.deepEqual(answers.map((a) => a.code), [0, 0, 0, 0]);
    assert.equal(answers[1]!.data.checkout_url, first.data.checkout_url);
    assert.equal(answers[2]!.data.checkout_url, answers[0]!.data.checkout_url);
    assert.equal(deps.wallet.created.filter((r) => r.traceId === fresh.trace_id).length, 1);
    assert.equal(Number((await botRow()).open_orders), 3);
  });

  test('the moves to NEW go in a group of their own: they commit while a group of inserts waits for a locked reservation row', async () => {
    await withBalance({ [USDT]: '100' });
    // The wallet answers only when told, so the two moves and the third insert arrive together.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let calls = 0;
    const wallet = deps.wallet.createOrder.bind(deps.wallet);
    deps.wallet.createOrder = async (request) => {
      calls += 1;
      await gate;
      return wallet(request);
    };
    const bodies = Array.from({ length: 3 }, () => orderBody(deps.now(), { amount: '1', payee_id: randomUUID() }));
    await payeeRows(bodies.map((b) => String(b.payee_id)));
    const lock = await lockPayeeRow(String(bodies[2]!.payee_id));
    const first = Promise.all(bodies.slice(0, 2).map((body) => order(body)));
    await eventually(() => calls === 2, 'both wallet calls');
    let lastAnswered = false;
    const last = order(bodies[2]!).finally(() => (lastAnswered = true));
    await lock.waiter();
    open();
    // One group for both would have waited behind the inserts for the locked row, until released.
    const within = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the moves did not commit within ${ms} ms`)), ms).unref());
    assert.deepEqual((await Promise.race([first, within(5000)])).map((a) => a.code), [0, 0]);
    const statuses = await store.db.selectFrom('broker_orders').select('status').where('trace_id', 'in', bodies.slice(0, 2).map((b) => String(b.trace_id))).execute();
    assert.deepEqual(statuses.map((r) => r.status), ['NEW', 'NEW']);
    assert.equal(lastAnswered, false);
    assert.deepEqual(await visible([bodies[2]!]), []);
    await lock.release();
    assert.equal((await last).code, 0);
    const moved = await store.db.selectFrom('broker_orders').select('status').where('trace_id', 'in', bodies.map((b) => String(b.trace_id))).execute();
    assert.deepEqual(moved.map((r) => r.status), ['NEW', 'NEW', 'NEW']);
  });

  test('groups of two pools, each mixing two assets, against one balance each: exactly what it covers is accepted', async () => {
    // 50 orders' worth of each asset; a few payees, so each group locks several rows per asset.
    await withBalance({ [USDT]: '50', [BTC]: '0.0005' });
    const other = openStore(store.url);
    try {
      const apps = [app, createBrokerApp(testDeps(other))];
      const payees = Array.from({ length: 4 }, () => randomUUID());
      const bodies = Array.from({ length: 200 }, (_, i) =>
        orderBody(deps.now(), { asset_id: i % 2 ? BTC : USDT, amount: i % 2 ? '0.00001' : '1', payee_id: payees[i % payees.length] }),
      );
      const answers = await Promise.all(bodies.map((body, i) => order(body, apps[Math.floor(i / 2) % 2])));
      const accepted = (asset: string) => answers.filter((a, i) => a.code === 0 && bodies[i]!.asset_id === asset).length;
      assert.deepEqual(answers.filter((a) => a.code !== 0 && a.code !== 11002), []);
      assert.equal(accepted(USDT), 50);
      assert.equal(accepted(BTC), 50);
      const rows = await store.db.selectFrom('broker_reservations').select(['asset_id', 'reserved_units', 'open_orders']).where('scope', '=', 'bot').orderBy('asset_id').execute();
      assert.deepEqual(
        rows.map((r) => [r.asset_id, String(r.reserved_units), Number(r.open_orders)]),
        [[USDT, toUnits('50'), 50], [BTC, toUnits('0.0005'), 50]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
    } finally {
      await other.close();
    }
  });
});
