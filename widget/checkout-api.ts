/**
 * The element's client for the companion server's public endpoints (`POST /v1/checkout`,
 * `GET /v1/orders/{id}/status`). Errors arrive as `{status, error_code, error}`.
 */
import { BadResponseError, parseLinks, parseOrderStatus, type OrderStatus, type OrderStatusName } from './order-status.ts';

/** Where to follow one order. */
export interface OrderEndpoints {
  statusUrl: string;
  eventsUrl: string;
}

export interface Checkout extends OrderEndpoints {
  order: OrderStatus;
}

/** A failed call: `retryable` when trying again later may succeed (network, 5xx, 429). */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    message: string,
    readonly code: string,
    readonly httpStatus: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The server's base URL without trailing slashes. */
export function serverBase(server: string): string {
  return server.trim().replace(/\/+$/, '');
}

/** The status and events URLs of an order on `server`. */
export function orderEndpoints(server: string, orderId: string): OrderEndpoints {
  const base = `${serverBase(server)}/v1/orders/${encodeURIComponent(orderId)}`;
  return { statusUrl: `${base}/status`, eventsUrl: `${base}/events` };
}

/** Creates a checkout for a catalog product (the server sets the price, never the browser). */
export async function createCheckout(server: string, product: string, signal?: AbortSignal): Promise<Checkout> {
  const response = await send(`${serverBase(server)}/v1/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ product }),
    signal: signal ?? null,
  });
  const body = await json(response);
  if (!response.ok) throw errorFrom(response, body);
  try {
    return checkoutFrom(server, body);
  } catch (error) {
    throw badResponse(error);
  }
}

/** Fetches an order's status; resolves null when the server answers 304 to `etag`. */
export async function fetchOrderStatus(
  statusUrl: string,
  etag: string | null,
  signal?: AbortSignal,
): Promise<{ order: OrderStatus; etag: string | null } | null> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (etag) headers['if-none-match'] = etag;
  const response = await send(statusUrl, { headers, signal: signal ?? null, cache: 'no-cache' });
  if (response.status === 304) return null;
  const body = await json(response);
  if (!response.ok) throw errorFrom(response, body);
  try {
    return { order: parseOrderStatus(body), etag: response.headers.get('etag') };
  } catch (error) {
    throw badResponse(error);
  }
}

function checkoutFrom(server: string, body: unknown): Checkout {
  const doc = body as { order?: Record<string, unknown>; links?: unknown };
  const order = doc.order;
  if (typeof order !== 'object' || order === null) throw new BadResponseError('answer without an order');
  const orderId = String(order['order_id'] ?? '');
  if (!orderId) throw new BadResponseError('order without an order_id');
  // The creation answer has no version: -1 lets the first status from the server replace it.
  const status = parseOrderStatus({ amount_due: null, failure_reason: null, ...order, version: -1, links: parseLinks(doc.links) });
  // status_url and events_url in the answer name the server by its configured public URL; the
  // `server` attribute is the address this browser has just reached, so build from that.
  return { order: status, ...orderEndpoints(server, orderId) };
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new ServerError('The payment server cannot be reached.', 'NETWORK', null, true);
  }
}

async function json(response: Response): Promise<unknown> {
  if (response.status === 204) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function errorFrom(response: Response, body: unknown): ServerError {
  const doc = (typeof body === 'object' && body !== null ? body : {}) as { error_code?: unknown; error?: unknown };
  const code = typeof doc.error_code === 'string' ? doc.error_code : `HTTP_${response.status}`;
  const message = typeof doc.error === 'string' ? doc.error : `The payment server answered HTTP ${response.status}.`;
  const retryable = response.status >= 500 || response.status === 429 || response.status === 408;
  return new ServerError(message, code, response.status, retryable);
}

function badResponse(error: unknown): ServerError {
  const detail = error instanceof Error ? error.message : String(error);
  return new ServerError(`The payment server sent an answer this button does not understand (${detail}).`, 'BAD_RESPONSE', null, false);
}

export type { OrderStatus, OrderStatusName };
