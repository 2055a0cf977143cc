/**
 * Opens the store named by DATABASE_URL: `sqlite:<path>` (WAL mode) or `postgres://...`.
 * Both backends hold money amounts as text (decimal strings) and times as integer milliseconds,
 * so no value changes on its way through either driver.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type SQLite from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { ConfigError } from '../core/config-error.ts';
import type { Database } from './schema.ts';
import { groupCommitted, withStatementCache } from './sqlite-statements.ts';
import { stopCheckpointer } from './sqlite-checkpointer.ts';
import { listenForOrderChanges, type ChangeHandlers, type ChangeListener } from './change-channel.ts';
import { reportWarning } from '../core/channels.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
  /** SQLite: the database itself, for the few hot reads that skip Kysely (merchant/status-reads.ts). */
  sqlite?: SQLite.Database;
  /** PostgreSQL: the pool itself, for the same hot reads as named (server-side prepared) statements. */
  pool?: pg.Pool;
  /** PostgreSQL: hears every process's order changes on one connection of its own (store/change-channel.ts). */
  listenForChanges?(handlers: ChangeHandlers): ChangeListener;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/** Parses a DATABASE_URL into the dialect and its target, or throws naming the variable. */
export function parseDatabaseUrl(url: string): { dialect: Dialect; target: string } {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
    if (!path) throw new ConfigError('DATABASE_URL: sqlite: needs a file path, e.g. sqlite:./data/mixpay.db');
    return { dialect: 'sqlite', target: path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: 'postgres', target: url };
  throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres://, got ${JSON.stringify(url)}`);
}

/** DATABASE_URL names a backend whose driver is not installed. */
export class MissingDriverError extends ConfigError {
  override name = 'MissingDriverError';
}

const require = createRequire(import.meta.url);

/**
 * Loads the driver a DATABASE_URL needs. The drivers are optional peer dependencies, so that a
 * page that installs this package for the element alone compiles no native module: a server
 * installs the one it uses (`npm install better-sqlite3` or `npm install pg`).
 */
function loadDriver<T>(name: 'better-sqlite3' | 'pg', dialect: Dialect): T {
  try {
    return require(name) as T;
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new MissingDriverError(`DATABASE_URL names ${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, whose driver is not installed: run \`npm install ${name}\` beside mixpay-checkout`);
  }
}

export function openStore(url: string): Store {
  const { dialect, target } = parseDatabaseUrl(url);
  if (dialect === 'sqlite') {
    const SQLiteDatabase = loadDriver<typeof SQLite>('better-sqlite3', dialect);
    if (target !== ':memory:') mkdirSync(dirname(target), { recursive: true });
    const database = new SQLiteDatabase(target);
    database.pragma('journal_mode = WAL');
    database.pragma('busy_timeout = 5000');
    database.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    // The checkpoint thread's connection ends first, so this one is the last and tidies the WAL
    // away. Kysely closes the database only if it ever opened its driver; a store used only
    // through `sqlite` is closed here.
    const close = async () => {
      await stopCheckpointer(database);
      await db.destroy();
      if (database.open) database.close();
    };
    return remember({ db, dialect, sqlite: database, close });
  }
  const pg = loadDriver<typeof import('pg').default>('pg', dialect);
  const pool = new pg.Pool({
    connectionString: target,
    max: 10,
    // Millisecond timestamps are int8; they fit a JS number exactly. Numerics stay strings.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : oid === NUMERIC_OID ? (v: string) => v : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that PostgreSQL ends (a restart, a failover, an administrator) emits
  // 'error' on the pool; unheard, that event would crash the process. The pool replaces the
  // client and the next query reconnects.
  pool.on('error', (error) => onIdleError(error));
  // A client that is checked out (between two statements of a transaction, or held by a worker)
  // gets the same 'error' event when its backend is terminated, and the pool listens only to idle
  // ones: without a listener of its own that event ended the process. The statement in flight
  // fails on its own; the pool discards the broken client when it is released.
  pool.on('connect', (client) => client.on('error', (error) => onIdleError(error, 'in use')));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return remember({ db, dialect, pool, close: () => db.destroy(), listenForChanges: (handlers) => listenForOrderChanges(pg, target, handlers) });
}

const names = new Map<string, string>();

/**
 * A PostgreSQL query as a named statement, which each connection parses and plans once: the
 * name is derived from the text, so the same text always has the same name (at most `max` kept).
 */
export function namedQuery(text: string, values: unknown[], max = 200): { name: string; text: string; values: unknown[] } {
  let name = names.get(text);
  if (!name) {
    name = `h${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    if (names.size >= max) names.delete(names.keys().next().value!);
    names.set(text, name);
  }
  return { name, text, values };
}

const stores = new WeakMap<object, Store>();

function remember(store: Store): Store {
  stores.set(store.db, store);
  return store;
}

/**
 * The store a Kysely instance belongs to, for the few hot writes that reach its driver directly
 * (broker/order-store.ts); undefined for a transaction's Kysely.
 */
export function storeBehind(db: object): Store | undefined {
  return stores.get(db);
}

/**
 * SQLite: runs synchronous `work` in the next group commit (sqlite-statements.ts), settling once
 * the group has committed. A group that finds a Kysely transaction open on the one connection
 * waits for Kysely's connection, so it never joins that transaction.
 */
export function groupCommit<T>(store: Store & { sqlite: SQLite.Database }, work: () => T): Promise<T> {
  return groupCommitted(store.sqlite, work, (flush) => store.db.connection().execute(async () => flush()));
}

const CONNECTION_LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

/** True for an error that says the database connection went away (terminated, restarted, unreachable): retry later, not a bug. */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && CONNECTION_LOST.has(e.code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error/i.test(e.message);
}

function onIdleError(error: Error, state = 'idle'): void {
  reportWarning(`database connection lost while ${state} (${error.message}); it will reconnect`);
}
