/**
 * The status endpoint's and the change feed's two reads, compiled once per store: Kysely would
 * otherwise build and compile the same query on every request (issue 12 §2). On SQLite they skip
 * Kysely altogether: better-sqlite3 answers synchronously from a statement prepared once, where
 * Kysely's driver adds a connection lock and several promise hops to a read of microseconds; on
 * PostgreSQL they are named statements, which each connection parses and plans once.
 */
import type { CompiledQuery } from 'kysely';
import type SQLite from 'better-sqlite3';
import { isUuid } from '../core/ids.ts';
import type { Store } from '../store/db.ts';
import { STATUS_COLUMNS, statusEtag, statusView, type StatusFields } from './order-view.ts';
import type { StatusCache, StatusDocument } from './status-cache.ts';

type Read<T> = (id: string) => T | undefined | Promise<T | undefined>;

export class StatusReads {
  private readonly readVersion: Read<{ version: number }>;
  private readonly readStatus: Read<StatusFields>;
  private readonly readDataVersion: (() => unknown) | undefined;
  /** `data_version` as read in this turn of the event loop, or undefined when not read yet. */
  private dataVersion: unknown;

  constructor(store: HotStore) {
    const version = store.db.selectFrom('orders').select('version').where('id', '=', '').compile();
    const status = store.db.selectFrom('orders').select(STATUS_COLUMNS).where('id', '=', '').compile();
    this.readVersion = reader(store, version, 'mixpay_status_version');
    this.readStatus = reader(store, status, 'mixpay_status_document');
    // Changes by other connections to the file, which this process's feed never hears of.
    if (store.sqlite) {
      const statement = store.sqlite.prepare('pragma data_version').pluck();
      this.readDataVersion = () => statement.get();
    }
  }

  /**
   * SQLite: a number that moves whenever another connection (another process) commits to the
   * file, which this process's feed never hears of; undefined elsewhere. Read once per turn of the
   * event loop (the pragma costs as much as a read under WAL), which every request answered in
   * that turn shares: a commit is seen from the next turn on, well under a millisecond later.
   */
  othersVersion(): unknown {
    if (!this.readDataVersion) return undefined;
    if (this.dataVersion === undefined) {
      this.dataVersion = this.readDataVersion();
      setImmediate(() => (this.dataVersion = undefined));
    }
    return this.dataVersion;
  }

  /** The order's version alone: enough to answer a matching `If-None-Match` with 304. */
  async version(id: string): Promise<number | undefined> {
    if (!isUuid(id)) return undefined;
    return (await this.readVersion(id))?.version;
  }

  /** The columns of the status document, or undefined when no order has this id. */
  async status(id: string): Promise<StatusFields | undefined> {
    if (!isUuid(id)) return undefined;
    return this.readStatus(id);
  }
}

type HotStore = Pick<Store, 'db' | 'sqlite' | 'pool'>;

function reader<T>(store: HotStore, query: CompiledQuery, name: string): Read<T> {
  if (store.sqlite) return direct(store.sqlite, query, viaKysely(store, query));
  const pool = store.pool;
  // A named statement is parsed and planned once per connection by PostgreSQL.
  if (pool) return async (id) => (await pool.query({ name, text: query.sql, values: [id] })).rows[0] as T | undefined;
  return viaKysely(store, query);
}

function direct<T>(sqlite: SQLite.Database, query: CompiledQuery, queued: Read<T>): Read<T> {
  const statement = sqlite.prepare(query.sql);
  // Kysely holds the one connection for a transaction across awaits: read now and this would see
  // its uncommitted writes, so wait behind it like any other query.
  return (id) => (sqlite.inTransaction ? queued(id) : (statement.get(id) as T | undefined));
}

function viaKysely<T>(store: Pick<Store, 'db'>, query: CompiledQuery): Read<T> {
  return async (id) => (await store.db.executeQuery<T>({ ...query, parameters: [id] })).rows[0];
}

const readers = new WeakMap<object, StatusReads>();

/** The one `StatusReads` of this store. */
export function statusReadsOf(store: HotStore): StatusReads {
  let reads = readers.get(store.db);
  if (!reads) readers.set(store.db, (reads = new StatusReads(store)));
  return reads;
}

/**
 * The order's status document from the feed's cache, if it holds one built with this payee name:
 * what both the route and its fast path ahead of Hono (status-fast-path.ts) answer first.
 */
export function cachedStatus(reads: StatusReads, cache: StatusCache, id: string, payeeName: string | null): StatusDocument | undefined {
  // Another process wrote to this SQLite file: the feed did not hear of it.
  cache.validate(reads.othersVersion());
  const cached = cache.get(id);
  return cached && cached.payeeName === payeeName ? cached : undefined;
}

/**
 * The status route's answer for an order: its ETag, and the document unless the caller's
 * `If-None-Match` already names it (then `body` may be missing). From the feed's cache while the
 * feed is live, else from the database: a matching `If-None-Match` costs the narrow version read,
 * anything else one read of the document's columns, which then fills the cache.
 */
export async function statusAnswer(
  reads: StatusReads,
  cache: StatusCache,
  id: string,
  payeeName: string | null,
  ifNoneMatch: string | undefined,
): Promise<{ etag: string; body?: string } | undefined> {
  const cached = cachedStatus(reads, cache, id, payeeName);
  if (cached) return cached;
  if (!cache.live && ifNoneMatch !== undefined) {
    const version = await reads.version(id);
    if (version === undefined) return undefined;
    const etag = statusEtag({ id, version });
    if (etag === ifNoneMatch) return { etag };
  }
  const mark = cache.mark();
  const order = await reads.status(id);
  if (!order) return undefined;
  const document = { version: order.version, etag: statusEtag({ id, version: order.version }), body: JSON.stringify(statusView(order, payeeName)), payeeName };
  cache.put(id, document, mark);
  return document;
}
