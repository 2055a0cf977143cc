/**
 * In-process fan-out of order status changes to Server-Sent Event streams. A server with several
 * processes still converges: each stream also re-reads the order on a slow timer.
 */
import { EventEmitter } from 'node:events';

export class StatusBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  /** Tells every open stream of this order to re-read it. */
  publish(orderId: string): void {
    this.emitter.emit(orderId);
  }

  /** Calls `listener` on each change of the order; returns the unsubscribe function. */
  subscribe(orderId: string, listener: () => void): () => void {
    this.emitter.on(orderId, listener);
    return () => this.emitter.off(orderId, listener);
  }
}
