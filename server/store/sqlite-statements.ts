/**
 * better-sqlite3 behind Kysely with each statement prepared once per process. Kysely's SQLite
 * driver calls `prepare` on every query; for the status endpoint that was 16 % of the time
 * (issue 12 §2). Kysely runs one query at a time per connection and never iterates a statement
 * here, so a cached statement is never in use twice at once.
 */
import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** The Kysely view of `database`, with an LRU of at most `max` prepared statements. */
export function withStatementCache(database: SQLite.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(sql: string): SqliteStatement {
      let statement = cache.get(sql);
      if (statement) {
        // Touch it: the least recently used statement is the one dropped at the limit.
        cache.delete(sql);
      } else {
        statement = database.prepare(sql) as unknown as SqliteStatement;
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, statement);
      return statement;
    },
  };
}
