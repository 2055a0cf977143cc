/**
 * The status endpoint's and the change feed's two reads, compiled once per database: Kysely would
 * otherwise build and compile the same query on every request (issue 12 §2), and SQLite's
 * statement cache (store/sqlite-statements.ts) then finds the same SQL text every time.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import { isUuid } from '../core/ids.ts';
import type { Database } from '../store/schema.ts';
import { STATUS_COLUMNS, type StatusFields } from './order-view.ts';

export class StatusReads {
  private readonly versionQuery: CompiledQuery;
  private readonly statusQuery: CompiledQuery;

  constructor(private readonly db: Kysely<Database>) {
    this.versionQuery = db.selectFrom('orders').select('version').where('id', '=', '').compile();
    this.statusQuery = db.selectFrom('orders').select(STATUS_COLUMNS).where('id', '=', '').compile();
  }

  /** The order's version alone: enough to answer a matching `If-None-Match` with 304. */
  async version(id: string): Promise<number | undefined> {
    if (!isUuid(id)) return undefined;
    const result = await this.db.executeQuery<{ version: number }>({ ...this.versionQuery, parameters: [id] });
    return result.rows[0]?.version;
  }

  /** The columns of the status document, or undefined when no order has this id. */
  async status(id: string): Promise<StatusFields | undefined> {
    if (!isUuid(id)) return undefined;
    const result = await this.db.executeQuery<StatusFields>({ ...this.statusQuery, parameters: [id] });
    return result.rows[0];
  }
}

const readers = new WeakMap<Kysely<Database>, StatusReads>();

/** The one `StatusReads` of this database. */
export function statusReadsOf(db: Kysely<Database>): StatusReads {
  let reads = readers.get(db);
  if (!reads) readers.set(db, (reads = new StatusReads(db)));
  return reads;
}
