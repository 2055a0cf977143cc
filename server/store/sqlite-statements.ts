/**
 * better-sqlite3 with each statement prepared once per process. Kysely's SQLite driver calls
 * `prepare` on every query; for the status endpoint that was 16 % of the time (issue 12 §2).
 * Kysely runs one query at a time per connection and never iterates a statement here, and the
 * hot writes that skip Kysely (broker/held-order.ts) run synchronously, so a cached statement is
 * never in use twice at once. Those writes commit in groups (`groupCommitted`).
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { checkpointerOf } from './sqlite-checkpointer.ts';

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

interface Member {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Group {
  /** The calls waiting for the next commit. */
  waiting: Member[];
  /** Runs one group: one IMMEDIATE transaction, each member in its own savepoint. */
  commit: (members: Member[]) => void;
}

const groups = new WeakMap<SQLite.Database, Group>();

/**
 * Group commit. `work` runs synchronously in its own SAVEPOINT of one `BEGIN IMMEDIATE`
 * transaction shared by every call made in the same turn of the event loop (flushed by
 * `setImmediate`, after the poll phase has read every request that arrived); the transaction
 * commits once, and only then does each promise settle. A throw rolls back that call's savepoint
 * only and rejects its promise; the others commit. A failed COMMIT, or an error after which
 * SQLite has rolled back the whole transaction, rejects them all. Durability is each commit's, as
 * with one transaction per call (synchronous = FULL: the WAL is flushed before COMMIT returns),
 * so no caller is answered before its writes are on disk.
 *
 * `whenFree` runs a flush that finds a transaction already open on the connection (Kysely's,
 * across awaits) once it has ended: writing then would join that transaction.
 */
export function groupCommitted<T>(database: SQLite.Database, work: () => T, whenFree: (flush: () => void) => Promise<void>): Promise<T> {
  let group = groups.get(database);
  if (!group) {
    const checkpointer = checkpointerOf(database);
    // better-sqlite3 runs a transaction function called inside another one as a savepoint.
    const member = database.transaction((m: Member) => m.work());
    const all = database.transaction((members: Member[], results: Array<{ ok: boolean; value: unknown }>) => {
      for (const m of members) {
        try {
          results.push({ ok: true, value: member(m) });
        } catch (error) {
          // Some errors (a full disk, an I/O error) make SQLite roll back the whole transaction:
          // then no member is committed, and none after it may run outside the group.
          if (!database.inTransaction) throw error;
          results.push({ ok: false, value: error });
        }
      }
    });
    group = {
      waiting: [],
      commit: (members) => {
        const results: Array<{ ok: boolean; value: unknown }> = [];
        try {
          all.immediate(members, results);
          // The WAL these commits grew is copied back by another thread (sqlite-checkpointer.ts).
          checkpointer?.nudge();
        } catch (error) {
          for (const m of members) m.reject(error);
          return;
        }
        members.forEach((m, i) => (results[i]!.ok ? m.resolve(results[i]!.value) : m.reject(results[i]!.value)));
      },
    };
    groups.set(database, group);
  }
  const { waiting, commit } = group;
  return new Promise<T>((resolve, reject) => {
    if (waiting.length === 0) {
      setImmediate(() => {
        const members = waiting.splice(0);
        if (!database.inTransaction) commit(members);
        else whenFree(() => commit(members)).catch((error: unknown) => members.forEach((m) => m.reject(error)));
      });
    }
    waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
  });
}
