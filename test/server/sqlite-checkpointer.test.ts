/**
 * SQLite's WAL checkpoints on their own thread (store/sqlite-checkpointer.ts): what group commits
 * write reaches the database file without the event loop's connection copying it, the store's
 * close ends the thread (and the WAL is tidied away), and a thread that cannot run hands
 * checkpoints back to the connection.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type SQLite from 'better-sqlite3';
import { createSqliteStore } from '../support/stores.ts';
import { groupCommit, openStore } from '../../server/store/db.ts';
import { BACKSTOP_PAGES, checkpointerOf, startCheckpointer } from '../../server/store/sqlite-checkpointer.ts';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof SQLite;

/** Rows of `checkpoint_test` in the database file alone: a copy of it without its WAL. */
function rowsInDatabaseFile(path: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-copy-'));
  try {
    copyFileSync(path, join(dir, 'copy.db'));
    const copy = new Database(join(dir, 'copy.db'), { readonly: true });
    try {
      const table = copy.prepare("select 1 from sqlite_master where name = 'checkpoint_test'").get();
      return table ? (copy.prepare('select count(*) as n from checkpoint_test').get() as { n: number }).n : 0;
    } finally {
      copy.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SQLite checkpoints on their own thread', () => {
  test("a group commit's rows reach the database file without the connection checkpointing", async () => {
    const opened = await createSqliteStore();
    const store = { ...opened, sqlite: opened.sqlite! };
    const path = store.url.slice('sqlite:'.length);
    try {
      store.sqlite.exec('create table checkpoint_test (id integer primary key, note text)');
      const insert = store.sqlite.prepare('insert into checkpoint_test (note) values (?)');
      // A few pages, far below any automatic checkpoint: only the thread copies them.
      await Promise.all(Array.from({ length: 50 }, (_, i) => groupCommit(store, () => insert.run(`row ${i}`))));
      assert.equal(store.sqlite.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_PAGES);
      assert.equal(checkpointerOf(store.sqlite)?.running, true);
      await until(() => rowsInDatabaseFile(path) === 50, 'the 50 rows in the database file');
    } finally {
      await store.dispose();
    }
  });

  test('closing the store ends the thread, and the last connection to close removes the WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-close-'));
    const path = join(dir, 'close.db');
    const store = openStore(`sqlite:${path}`);
    const sqlite = store.sqlite!;
    try {
      sqlite.exec('create table checkpoint_test (id integer primary key)');
      await groupCommit({ ...store, sqlite }, () => sqlite.prepare('insert into checkpoint_test default values').run());
      const checkpointer = checkpointerOf(sqlite)!;
      assert.equal(existsSync(`${path}-wal`), true);
      await store.close();
      assert.equal(checkpointer.running, false);
      // A thread left running would keep its connection, and with it the WAL file.
      assert.equal(existsSync(`${path}-wal`), false);
      assert.equal(rowsInDatabaseFile(path), 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a thread that cannot start gives checkpoints back to the connection and says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkpoint-broken-'));
    const database = new Database(join(dir, 'broken.db'));
    const warnings: string[] = [];
    const listen = (message: unknown) => warnings.push((message as { line: string }).line);
    subscribe('mixpay-checkout:warning', listen);
    try {
      database.pragma('journal_mode = WAL');
      const checkpointer = startCheckpointer(database, join(dir, 'no-such-driver.js'));
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), BACKSTOP_PAGES);
      await until(() => !checkpointer.running, 'the thread to fail');
      assert.equal(database.pragma('wal_autocheckpoint', { simple: true }), 1000);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /SQLite checkpoints are back on the event loop: the checkpoint thread failed \(Cannot find module/);
      await checkpointer.stop();
    } finally {
      unsubscribe('mixpay-checkout:warning', listen);
      database.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an in-memory database has no checkpoint thread', () => {
    const database = new Database(':memory:');
    try {
      assert.equal(checkpointerOf(database), null);
    } finally {
      database.close();
    }
  });
});
