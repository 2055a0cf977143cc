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
import { STATUS_COLUMNS, statusView, type StatusFields } from './order-view.ts';

type Read<T> = (id: string) => T | undefined | Promise<T | undefined>;

export class StatusReads {
  private readonly readVersion: Read<{ version: number }>;
  private readonly readStatus: Read<StatusFields>;

  constructor(store: HotStore) {
    const version = store.db.selectFrom('orders').select('version').where('id', '=', '').compile();
    const status = store.db.selectFrom('orders').select(STATUS_COLUMNS).where('id', '=', '').compile();
    this.readVersion = reader(store, version, 'mixpay_status_version');
    this.readStatus = reader(store, status, 'mixpay_status_document');
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
 * Status documents as JSON text by order and version. A version names one content: the two
 * writers of the document's columns (`transitionOrder`, `patchOrder`) both bump it, as the ETag
 * already assumes. So a poll of an unchanged order costs the narrow version read and no
 * serialization.
 */
export class StatusDocuments {
  private readonly cache = new Map<string, { version: number; payeeName: string | null; body: string }>();

  constructor(private readonly max = 10_000) {}

  /** The document of this version, read and serialized on a miss (then of the version read). */
  async get(reads: StatusReads, id: string, version: number, payeeName: string | null): Promise<{ version: number; body: string } | undefined> {
    const cached = this.cache.get(id);
    if (cached?.version === version && cached.payeeName === payeeName) return cached;
    const order = await reads.status(id);
    if (!order) return undefined;
    const entry = { version: order.version, payeeName, body: JSON.stringify(statusView(order, payeeName)) };
    this.cache.delete(id);
    if (this.cache.size >= this.max) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(id, entry);
    return entry;
  }
}
