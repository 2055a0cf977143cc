/**
 * The element's client for the companion server's public endpoints (`POST /v1/checkout`,
 * `GET /v1/orders/{id}/status`). Errors arrive as `{status, error_code, error}`.
 */
import { BadResponseError, parseLinks, parseOrderStatus, type OrderStatus } from './order-status.ts';

/** Where to follow one order. */
export interface OrderEndpoints {
  statusUrl: string;
  eventsUrl: string;
}

export interface Checkout extends OrderEndpoints {
  order: OrderStatus;
}

/** A failed call: `retryable` when trying again later may succeed (network, 5xx, 408, 429). */
export class ServerError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable = false,
    /** The server is refusing for now (429, or 503 with Retry-After): wait this many ms, at most 60 s. */
    readonly busyFor: number | null = null,
  ) {
    super(message);
  }
}

/**
 * How long a refusing server asked us to wait (`Retry-After`: seconds or an HTTP date), capped at
 * 60 s; 10 s for a 429 that names no time; null when the answer is not a refusal.
 */
export function busyDelay(status: number, retryAfter: string | null, now = Date.now()): number | null {
  if (status !== 429 && !(status === 503 && retryAfter)) return null;
  const value = retryAfter?.trim() ?? '';
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Math.min(Math.max(ms > 0 ? ms : 10_000, 1000), 60_000);
}

/** The status and events URLs of an order on `server`. */
export function orderEndpoints(server: string, orderId: string): OrderEndpoints {
  const base = `${server.trim().replace(/\/+$/, '')}/v1/orders/${encodeURIComponent(orderId)}`;
  return { statusUrl: `${base}/status`, eventsUrl: `${base}/events` };
}

/**
 * Creates a checkout for a catalog product (the server sets the price, never the browser). The
 * page it starts from goes along as `return_to`, the order page's "Back to the shop" (the server
 * keeps it only on an origin it allows).
 */
export async function createCheckout(server: string, product: string, signal?: AbortSignal): Promise<Checkout> {
  const body = JSON.stringify({ product, return_to: location.href.split('#')[0] });
  const init: RequestInit = { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: signal ?? null };
  const url = `${server.trim().replace(/\/+$/, '')}/v1/checkout`;
  return (await request(url, init, (body: { order?: object; links?: unknown }) => {
    // The creation answer has no version: -1 lets the first status from the server replace it.
    const order = parseOrderStatus({ ...body.order, version: -1, links: parseLinks(body.links) });
    // status_url and events_url in the answer name the server by its configured public URL; the
    // `server` attribute is the address this browser has just reached, so build from that.
    return { order, ...orderEndpoints(server, order.order_id) };
  }))!;
}

/** Fetches an order's status; resolves null when the server answers 304 to `etag`. */
export function fetchOrderStatus(
  statusUrl: string,
  etag: string | null,
  signal?: AbortSignal,
): Promise<{ order: OrderStatus; etag: string | null } | null> {
  const init: RequestInit = { headers: etag ? { 'if-none-match': etag } : {}, signal: signal ?? null, cache: 'no-cache' };
  return request(statusUrl, init, (body, response) => ({ order: parseOrderStatus(body), etag: response.headers.get('etag') }));
}

// The body is whatever JSON the server sent; `read` checks it (parseOrderStatus) before use.
async function request<T>(url: string, init: RequestInit, read: (body: any, response: Response) => T): Promise<T | null> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ServerError('Payment server unreachable', 'NETWORK', true);
  }
  if (response.status === 304) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const status = response.status;
    throw new ServerError(
      body?.error ?? `HTTP ${status}`,
      body?.error_code ?? `HTTP_${status}`,
      status >= 500 || status === 429 || status === 408,
      busyDelay(status, response.headers.get('retry-after')),
    );
  }
  try {
    return read(body, response);
  } catch (error) {
    throw new ServerError(`Bad answer: ${(error as Error).message}`, 'BAD_RESPONSE');
  }
}

export { BadResponseError };
