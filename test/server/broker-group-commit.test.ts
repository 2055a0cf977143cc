/**
 * SQLite's group commit (store/sqlite-statements.ts): writes made in the same turn share one
 * transaction, each in its own savepoint, so one member's failure undoes only its own part, and
 * no caller hears back before the group has committed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { createSqliteStore, type TestStore } from '../support/stores.ts';
import { groupCommit } from '../../server/store/db.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { jsonPost } from '../support/broker-http.ts';
import { eventually } from '../support/wait.ts';
import { orderBody, testDeps, USDT } from './broker-fixtures.ts';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof SQLite;

describe('SQLite group commit', () => {
  let store: TestStore & { sqlite: SQLite.Database };
  let reader: SQLite.Database;
  const path = () => store.url.slice('sqlite:'.length);

  before(async () => {
    const opened = await createSqliteStore();
    store = { ...opened, sqlite: opened.sqlite! };
    store.sqlite.exec('create table group_test (id text primary key, note text)');
    // A second connection sees only what is committed.
    reader = new Database(path(), { readonly: true });
  });
  after(async () => {
    reader.close();
    await store.dispose();
  });

  const committedIds = () => (reader.prepare('select id from group_test order by id').all() as Array<{ id: string }>).map((r) => r.id);

  test('a group with one failing member commits the others and rejects that one, with nothing of it written', async () => {
    const insert = store.sqlite.prepare('insert into group_test (id, note) values (?, ?)');
    const seenByReader: string[][] = [];
    const results = await Promise.allSettled([
      groupCommit(store, () => insert.run('a', 'first').changes),
      groupCommit(store, () => {
        insert.run('b', 'written, then undone');
        insert.run('a', 'a taken id: the constraint fails');
        return 1;
      }),
      groupCommit(store, () => {
        // Still one open transaction: the other connection has seen none of the group yet.
        seenByReader.push(committedIds());
        return insert.run('c', 'third').changes;
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(String((results[1] as PromiseRejectedResult).reason), /UNIQUE constraint failed/);
    assert.deepEqual(seenByReader, [[]]);
    assert.deepEqual(committedIds(), ['a', 'c']);
    assert.equal(store.sqlite.inTransaction, false);
  });

  test('a member after which SQLite has rolled back the whole transaction rejects the group, and no later member runs outside it', async () => {
    const insert = store.sqlite.prepare('insert into group_test (id, note) values (?, ?)');
    let thirdRan = false;
    const results = await Promise.allSettled([
      groupCommit(store, () => insert.run('r1', 'rolled back with the group').changes),
      // What a full disk or an I/O error does to the transaction, done by hand.
      groupCommit(store, () => store.sqlite.exec('rollback')),
      groupCommit(store, () => {
        thirdRan = true;
        return insert.run('r3', 'never written').changes;
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.equal(thirdRan, false);
    assert.deepEqual(committedIds(), ['a', 'c']);
    assert.equal(store.sqlite.inTransaction, false);
  });

  test('a group waits for a Kysely transaction open across awaits instead of joining it', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const kysely = store.db.transaction().execute(async (trx) => {
      await sql`insert into group_test (id, note) values ('k', 'kysely')`.execute(trx);
      await held;
      throw new Error('rolled back on purpose');
    });
    // Let the Kysely transaction begin before the group is flushed.
    await eventually(() => store.sqlite.inTransaction && store.sqlite.prepare("select id from group_test where id = 'k'").get(), 10_000, 'the Kysely transaction to begin and insert');
    assert.equal(store.sqlite.inTransaction, true);
    const grouped = groupCommit(store, () => store.sqlite.prepare("insert into group_test (id, note) values ('g', 'group')").run().changes);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await assert.rejects(kysely, /rolled back on purpose/);
    assert.equal(await grouped, 1);
    // The group's row survived the Kysely rollback, and the Kysely row did not.
    assert.deepEqual(committedIds(), ['a', 'c', 'g']);
  });

  test('create_order: orders in one group against a balance that covers two of three, exactly two held and the third not written', async () => {
    const deps = testDeps(store);
    const app = createBrokerApp(deps);
    deps.fakeMixin.balances.set(USDT, '2');
    await syncBalances(deps);
    const bodies = Array.from({ length: 3 }, () => orderBody(deps.now(), { amount: '1' }));
    const answers = await Promise.all(bodies.map(async (body) => (await (await app.request('/create_order', jsonPost(body))).json()) as { code: number }));
    assert.deepEqual(answers.map((a) => a.code).sort(), [0, 0, 11002]);
    const refused = bodies[answers.findIndex((a) => a.code === 11002)]!;
    assert.equal(await store.db.selectFrom('broker_orders').select('trace_id').where('trace_id', '=', String(refused.trace_id)).executeTakeFirst(), undefined);
    const rows = await store.db.selectFrom('broker_orders').select(['status', 'held_units']).where('asset_id', '=', USDT).execute();
    assert.deepEqual(rows.map((r) => r.status), ['NEW', 'NEW']);
    const bot = await store.db.selectFrom('broker_reservations').selectAll().where('scope', '=', 'bot').where('asset_id', '=', USDT).executeTakeFirstOrThrow();
    assert.equal(Number(bot.open_orders), 2);
  });
});
