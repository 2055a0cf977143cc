/**
 * In-process news that an order changed: whoever changed it (callback, reconciler, cancel)
 * publishes its id, and the change feed (status-feed.ts) reads the order once for every stream.
 * Other processes hear of the change through PostgreSQL's NOTIFY (store/change-channel.ts).
 */
export class StatusBus {
  private readonly listeners = new Set<(orderId: string) => void>();

  /** Says that this order may have a new version. */
  publish(orderId: string): void {
    for (const listener of this.listeners) listener(orderId);
  }

  /** Calls `listener` with the id of every order published; returns the unsubscribe function. */
  onChange(listener: (orderId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
