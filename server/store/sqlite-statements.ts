/**
 * better-sqlite3 with each statement prepared once per process. Kysely's SQLite driver calls
 * `prepare` on every query; for the status endpoint that was 16 % of the time (issue 12 §2).
 * Kysely runs one query at a time per connection and never iterates a statement here, and the
 * hot writes that skip Kysely (broker/held-order.ts) run synchronously, so a cached statement is
 * never in use twice at once.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const caches = new WeakMap<SQLite.Database, (sql: string) => SQLite.Statement>();

/** `database.prepare` through one LRU of at most `max` statements per database. */
export function preparedStatements(database: SQLite.Database, max = 500): (sql: string) => SQLite.Statement {
  let prepare = caches.get(database);
  if (prepare) return prepare;
  const cache = new Map<string, SQLite.Statement>();
  prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement) {
      // Touch it: the least recently used statement is the one dropped at the limit.
      cache.delete(sql);
    } else {
      statement = database.prepare(sql);
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
    }
    cache.set(sql, statement);
    return statement;
  };
  caches.set(database, prepare);
  return prepare;
}

/** The Kysely view of `database`, sharing its statement cache (preparedStatements). */
export function withStatementCache(database: SQLite.Database, max = 500): SqliteDatabase {
  const prepare = preparedStatements(database, max);
  return {
    close: () => database.close(),
    prepare: (sql: string) => prepare(sql) as unknown as SqliteStatement,
  };
}

const runners = new WeakMap<SQLite.Database, <T>(work: () => T) => T>();

/** Runs `work` synchronously in one `BEGIN IMMEDIATE` transaction; a throw rolls it back. */
export function immediately<T>(database: SQLite.Database, work: () => T): T {
  let run = runners.get(database);
  if (!run) {
    const transaction = database.transaction((inner: () => unknown) => inner());
    run = <R>(inner: () => R) => transaction.immediate(inner) as R;
    runners.set(database, run);
  }
  return run(work);
}
