import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { fetchOrderStatus, ServerError, type OrderEndpoints } from './checkout-api.ts';
import { isFinalStatus, parseOrderStatus, type OrderStatus } from './order-status.ts';
import { DEFAULT_TIMING, nextRetryDelay, type RetryTiming } from './retry.ts';

export interface StatusCallbacks {
  /** A status newer than any seen before. */
  onStatus(order: OrderStatus): void;
  /** The server is reachable again (`live`) or the last attempt failed (`retrying`). */
  onConnection(state: 'live' | 'retrying'): void;
  /** A failure that retrying will not cure (unknown order, malformed answers). */
  onFatal(error: ServerError): void;
}

/**
 * Follows one order's status: Server-Sent Events first, polling with ETag/304 when the stream
 * fails. Backs off exponentially on errors, pauses while the page is hidden or left (`pagehide`:
 * no stream stays open in the back/forward cache, which keeps the page eligible for it) and checks
 * at once when it returns, stops on a final status and when the host leaves the DOM. Every answer is
 * compared by `version`, so a slow old answer never overwrites a newer one.
 */
export class OrderStatusController implements ReactiveController {
  #endpoints: OrderEndpoints | null = null;
  #version = Number.NEGATIVE_INFINITY;
  #final = false;
  #transport: 'stream' | 'poll' = 'stream';
  #connected = false;
  #etag: string | null = null;
  #failures = 0;
  #request = 0;
  #abort: AbortController | null = null;
  #stream: EventSource | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly callbacks: StatusCallbacks,
    private readonly timing: RetryTiming = DEFAULT_TIMING,
  ) {
    host.addController(this);
  }

  /** True while an order is followed and has not reached a final status. */
  get active(): boolean {
    return this.#endpoints !== null && !this.#final;
  }

  hostConnected(): void {
    this.#connected = true;
    document.addEventListener('visibilitychange', this.#onVisibility);
    addEventListener('pagehide', this.#onVisibility);
    addEventListener('pageshow', this.#onVisibility);
    this.#resume();
  }

  hostDisconnected(): void {
    this.#connected = false;
    document.removeEventListener('visibilitychange', this.#onVisibility);
    removeEventListener('pagehide', this.#onVisibility);
    removeEventListener('pageshow', this.#onVisibility);
    this.#suspend();
  }

  /** Starts following an order; `known` is what the page already holds (its version is the floor). */
  follow(endpoints: OrderEndpoints, known: OrderStatus | null = null): void {
    this.stop();
    this.#endpoints = endpoints;
    this.#version = known?.version ?? Number.NEGATIVE_INFINITY;
    this.#final = known ? isFinalStatus(known.status) : false;
    this.#transport = typeof EventSource === 'function' ? 'stream' : 'poll';
    this.#resume();
  }

  /** Stops following, aborting what is in flight. */
  stop(): void {
    this.#suspend();
    this.#endpoints = null;
    this.#etag = null;
    this.#failures = 0;
  }

  /** Checks now instead of waiting for the next poll or retry. */
  checkNow(): void {
    if (!this.active) return;
    this.#suspend();
    this.#resume();
  }

  #onVisibility = (event: Event): void => {
    if (document.hidden || event.type === 'pagehide') this.#suspend();
    else this.#resume();
  };

  #resume(): void {
    if (!this.active || !this.#connected || document.hidden) return;
    if (this.#stream || this.#abort || this.#timer !== undefined) return; // already running
    if (this.#transport === 'stream') this.#openStream();
    else void this.#poll();
  }

  #suspend(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#request++; // any answer still on its way is now stale
    this.#abort?.abort();
    this.#abort = null;
    this.#stream?.close();
    this.#stream = null;
  }

  #openStream(): void {
    const stream = new EventSource(this.#endpoints!.eventsUrl);
    this.#stream = stream;
    const onMessage = (event: MessageEvent<string>): void => {
      if (this.#stream !== stream) return;
      let order: OrderStatus;
      try {
        order = parseOrderStatus(JSON.parse(event.data));
      } catch {
        return this.#fallBackToPolling(stream); // a stream we cannot read is no better than none
      }
      this.#succeeded();
      this.#accept(order);
    };
    stream.addEventListener('status', onMessage as EventListener); // the server names every message `status`
    stream.addEventListener('error', () => {
      if (this.#stream === stream) this.#fallBackToPolling(stream);
    });
  }

  // The stream failed (unsupported by a proxy, dropped, refused): poll from now on. Polling has
  // the back-off and the "retrying" state, so a dead server is reported either way.
  #fallBackToPolling(stream: EventSource): void {
    stream.close();
    this.#stream = null;
    this.#transport = 'poll';
    void this.#poll();
  }

  async #poll(): Promise<void> {
    if (!this.active) return;
    const request = ++this.#request;
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const answer = await fetchOrderStatus(this.#endpoints!.statusUrl, this.#etag, abort.signal);
      if (request !== this.#request) return;
      this.#abort = null;
      this.#succeeded();
      if (answer) {
        this.#etag = answer.etag;
        this.#accept(answer.order);
      }
      this.#schedule(this.timing.pollInterval);
    } catch (error) {
      if (request !== this.#request) return;
      this.#abort = null;
      if (error instanceof ServerError && !error.retryable) {
        this.#final = true;
        this.callbacks.onFatal(error);
        return;
      }
      this.#failures++;
      this.callbacks.onConnection('retrying');
      this.#schedule(nextRetryDelay(this.#failures, this.timing));
    }
  }

  #schedule(delay: number): void {
    if (!this.active) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#poll();
    }, delay);
  }

  #succeeded(): void {
    if (this.#failures > 0) this.callbacks.onConnection('live');
    this.#failures = 0;
  }

  #accept(order: OrderStatus): void {
    if (order.version <= this.#version) return; // older or already seen
    this.#version = order.version;
    if (isFinalStatus(order.status)) {
      this.#final = true;
      this.#suspend();
    }
    this.callbacks.onStatus(order);
  }
}
