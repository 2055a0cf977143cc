/**
 * The status documents of recently asked orders, kept in memory so that a poll of
 * `GET /v1/orders/{id}/status` touches no database (issue 12 §2). The change feed
 * (status-feed.ts) hears of every change and drops that order's entry; an entry is served only
 * while the feed is `live`, i.e. while it cannot have missed a change: always in one process on
 * SQLite, and on PostgreSQL only while its LISTEN connection is up. Going live, or losing the
 * connection, empties the cache, since messages may have been lost meanwhile.
 *
 * A read that raced a change must not put the old document back: every drop moves an epoch, and
 * `put` keeps an answer only when the epoch is still the one its read started in. Only orders that
 * exist are kept (a stranger's random ids are answered from the database and not remembered),
 * and at most `max` of them, the least recently asked going first.
 */

/** One order's status answer as the route sends it. */
export interface StatusDocument {
  version: number;
  etag: string;
  /** `JSON.stringify(statusView(...))`. */
  body: string;
  /** The payee name the document was built with. */
  payeeName: string | null;
}

export class StatusCache {
  private readonly entries = new Map<string, StatusDocument>();
  private epoch = 0;
  private isLive = false;
  private source: unknown;

  constructor(readonly max = 10_000) {}

  /** True while every change reaches `drop`: entries may be served without a read. */
  get live(): boolean {
    return this.isLive;
  }

  /** The feed connected (true) or may have missed changes (false); either way, start empty. */
  setLive(live: boolean): void {
    this.isLive = live;
    this.clear();
  }

  /**
   * Empties the cache when `source` differs from the last one given: a token that moves when the
   * database changed behind the feed's back (SQLite's `data_version`).
   */
  validate(source: unknown): void {
    if (source === this.source) return;
    this.source = source;
    this.clear();
  }

  /** The entry of an order, while live; it becomes the most recently asked. */
  get(orderId: string): StatusDocument | undefined {
    if (!this.isLive) return undefined;
    const entry = this.entries.get(orderId);
    if (entry) {
      this.entries.delete(orderId);
      this.entries.set(orderId, entry);
    }
    return entry;
  }

  /** Taken before a read: `put` keeps its answer only if nothing changed meanwhile. */
  mark(): number {
    return this.epoch;
  }

  /** Keeps an order's document read since `mark`, unless a change (or a reconnect) came in between. */
  put(orderId: string, document: StatusDocument, mark: number): void {
    if (!this.isLive || mark !== this.epoch) return;
    this.entries.delete(orderId);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(orderId, document);
  }

  /** This order changed (or may have). */
  drop(orderId: string): void {
    this.epoch += 1;
    this.entries.delete(orderId);
  }

  /** Every order may have changed. */
  clear(): void {
    this.epoch += 1;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
