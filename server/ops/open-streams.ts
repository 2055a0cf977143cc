/**
 * The status streams (Server-Sent Events) open in this process, as metrics and a shutdown see
 * them. The merchant's status feed (merchant/status-feed.ts) holds every stream: it counts them,
 * and on shutdown ends each with a final `closing` event and a `retry:` hint, so `<mixpay-button>`
 * follows the order by polling and a plain EventSource reconnects to another process.
 */
export interface OpenStreams {
  /** Streams open now. */
  readonly size: number;
  /** Ends every open stream with its final event; returns how many there were. */
  closeAll(): number;
}

/** No streams (an app without a feed, in tests). */
export const NO_STREAMS: OpenStreams = { size: 0, closeAll: () => 0 };
