/**
 * One change feed per process (issue 12 §3): a status change is read once and the same serialized
 * status goes to every open stream of that order. News comes from the in-process bus and, on
 * PostgreSQL, from every process's NOTIFY; after a (re)connect of that LISTEN the feed reads each
 * followed order again, since a message may have been lost. Streams never poll; one shared timer
 * sends their heartbeats. The same news keeps the status route's cache (status-cache.ts) true:
 * each change drops its order's entry, and the cache serves only while the feed cannot have missed
 * one.
 */
import type { Store } from '../store/db.ts';
import { onLocalOrderChange, type ChangeListener } from '../store/change-channel.ts';
import { FINAL_STATUSES } from './order-state.ts';
import { statusView, type StatusFields } from './order-view.ts';
import { statusReadsOf } from './status-reads.ts';
import { StatusCache } from './status-cache.ts';
import type { StatusBus } from './status-bus.ts';
import { encodeFrame, type EncodedFrame } from './event-stream.ts';

/** One status document as every stream of the order sends it. */
export interface StatusMessage {
  version: number;
  /** `JSON.stringify(statusView(...))`, serialized once for all listeners. */
  data: string;
  /** The whole SSE frame (`event: status`, `id`, `data`), encoded once: every stream writes these bytes. */
  frame: EncodedFrame;
  final: boolean;
}

/** What a stream gives the feed: where messages go, its heartbeat, and how to end it. */
export interface StatusFollower {
  send(message: StatusMessage): void;
  heartbeat(): void;
  /** The server is shutting down. */
  end(): void;
}

const HEARTBEAT_MS = 15_000;

function statusMessage(order: StatusFields, payeeName: string | null): StatusMessage {
  const data = JSON.stringify(statusView(order, payeeName));
  return { version: order.version, final: FINAL_STATUSES.has(order.status), data, frame: encodeFrame(`event: status\nid: ${order.version}\ndata: ${data}\n\n`) };
}

export interface StatusFeedDeps {
  store: Store;
  bus: StatusBus;
  payeeName: string | null;
  log: (line: string) => void;
  heartbeatMs?: number;
}

export class StatusFeed {
  private readonly followers = new Map<string, Set<StatusFollower>>();
  /** The last message of each followed order; dropped with its last follower. */
  private readonly latest = new Map<string, StatusMessage>();
  private readonly reading = new Map<string, Promise<StatusMessage | undefined>>();
  private readonly readAgain = new Set<string>();
  private listener: ChangeListener | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly unsubscribe: Array<() => void> = [];
  private readonly cache = new StatusCache();

  constructor(private readonly deps: StatusFeedDeps) {
    this.unsubscribe.push(deps.bus.onChange((orderId) => this.changed(orderId)));
    if (!deps.store.listenForChanges) {
      // One process on SQLite: every change of this process is announced here (order-store.ts),
      // so the feed misses none; another process's show in status-reads.ts's `othersVersion`.
      this.unsubscribe.push(onLocalOrderChange((orderId, version) => this.changed(orderId, version)));
      this.cache.setLive(true);
    }
  }

  /**
   * The status documents this feed keeps true; on PostgreSQL the first call opens the LISTEN
   * connection, and the cache serves once it is up.
   */
  statusCache(): StatusCache {
    this.listen();
    return this.cache;
  }

  /**
   * Follows an order: answers its current status (read once, or the feed's last message when
   * another stream follows it already), then every newer one. `stop` ends the subscription.
   */
  async follow(orderId: string, follower: StatusFollower): Promise<{ current: StatusMessage | undefined; stop: () => void }> {
    if (this.closed) return { current: undefined, stop: () => {} };
    let set = this.followers.get(orderId);
    if (!set) this.followers.set(orderId, (set = new Set()));
    set.add(follower);
    this.startListening();
    const stop = () => this.unfollow(orderId, follower);
    // Subscribed first, then read: a change in between is not lost.
    const current = this.latest.get(orderId) ?? (await this.read(orderId));
    return { current, stop };
  }

  /** News that an order may have a new version (`version` when the news says which). */
  changed(orderId: string, version?: number): void {
    this.cache.drop(orderId);
    if (!this.followers.has(orderId)) return;
    const known = this.latest.get(orderId);
    if (version !== undefined && known && known.version >= version) return;
    void this.read(orderId);
  }

  /** Streams open now (for tests and measurements). */
  get size(): number {
    let count = 0;
    for (const set of this.followers.values()) count += set.size;
    return count;
  }

  /**
   * Ends every stream (each gets its final event) and stops listening. Once: a shutdown reaches
   * it both through the open streams and through the server's stops, and the LISTEN connection
   * must be ended only once.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.closed = true;
    this.cache.setLive(false);
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    for (const set of [...this.followers.values()]) for (const follower of [...set]) follower.end();
    this.followers.clear();
    this.latest.clear();
    await this.listener?.close();
    this.listener = undefined;
  }

  /** Reads the order once however many ask meanwhile; one more read if news came during it. */
  private read(orderId: string): Promise<StatusMessage | undefined> {
    const running = this.reading.get(orderId);
    if (running) {
      this.readAgain.add(orderId);
      return running;
    }
    const run = (async () => {
      let message: StatusMessage | undefined;
      do {
        this.readAgain.delete(orderId);
        const order = await statusReadsOf(this.deps.store).status(orderId);
        if (order) message = this.deliver(orderId, statusMessage(order, this.deps.payeeName));
      } while (this.readAgain.has(orderId));
      return message;
    })()
      .catch((error: Error) => {
        this.deps.log(`order change feed: cannot read order ${orderId} (${error.message})`);
        return this.latest.get(orderId);
      })
      .finally(() => this.reading.delete(orderId));
    this.reading.set(orderId, run);
    return run;
  }

  private deliver(orderId: string, message: StatusMessage): StatusMessage {
    const known = this.latest.get(orderId);
    if (known && known.version >= message.version) return known;
    const set = this.followers.get(orderId);
    if (!set) return message;
    this.latest.set(orderId, message);
    for (const follower of [...set]) follower.send(message);
    return message;
  }

  private unfollow(orderId: string, follower: StatusFollower): void {
    const set = this.followers.get(orderId);
    if (!set?.delete(follower) || set.size > 0) return;
    this.followers.delete(orderId);
    this.latest.delete(orderId);
    if (this.followers.size === 0) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  private startListening(): void {
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => {
        for (const set of this.followers.values()) for (const follower of set) follower.heartbeat();
      }, this.deps.heartbeatMs ?? HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    this.listen();
  }

  /** The LISTEN connection stays once opened: it costs one connection, and news keeps flowing. */
  private listen(): void {
    if (this.closed || this.listener || !this.deps.store.listenForChanges) return;
    this.listener = this.deps.store.listenForChanges({
      onChange: (orderId, version) => this.changed(orderId, version),
      onConnect: () => {
        this.cache.setLive(true);
        for (const orderId of this.followers.keys()) void this.read(orderId);
      },
      onDisconnect: () => this.cache.setLive(false),
      log: this.deps.log,
    });
  }
}
