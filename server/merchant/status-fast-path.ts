/**
 * Polls of `GET /v1/orders/{id}/status` that the feed's cache answers, taken on Node's request
 * and response ahead of Hono (issue 12 §2). With no database work left on a hit, Hono's chain (the
 * request log, the metrics, the merchant app's context, the nested routers, CORS) was what kept
 * the route under half of a bare app's throughput. The answer is the one Hono's route sends, header
 * for header (test/server/merchant-status-fast-path.test.ts holds the two side by side); the
 * request id, the metrics and the request log's level come from the server's own parts, handed in
 * by server/compose.ts. Anything else (another method or path, a miss, a payee name that differs, a
 * host or target node-server would refuse) goes to Hono untouched.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { allowedOriginsOf, corsAnswerHeaders } from './cors-headers.ts';
import type { MerchantDeps } from './deps.ts';
import { cachedStatus, statusReadsOf } from './status-reads.ts';
import { STATUS_CACHE_CONTROL, STATUS_CONTENT_TYPE, STATUS_ROUTE, statusCors } from './status-route.ts';

/** Answers a request itself (true), or leaves Node's request and response untouched (false). */
export type NodeFastPath = (incoming: IncomingMessage, outgoing: ServerResponse) => boolean;

export interface StatusFastPathParts {
  /** The `x-request-id` to send for the client's one, as the request log does; absent without a request log. */
  requestId?: (given: string | undefined) => string;
  /** True while the request log would write a line for a status poll: those go through Hono, which writes it. */
  logsPolls?: () => boolean;
  /** Counts and times the answer as Hono's metrics middleware does. */
  countRequest?: (method: string, route: string, status: number, started: number) => void;
}

const [ROUTE_HEAD, ROUTE_TAIL] = STATUS_ROUTE.split(':id') as [string, string];

/**
 * The order id in a request target that is exactly the status route (a query string allowed,
 * ignored as Hono does), else undefined. Only ids Hono would see as they are written: one
 * segment, nothing percent-encoded, no backslash (node-server refuses those before the query).
 */
export function statusRouteId(target: string): string | undefined {
  if (!target.startsWith(ROUTE_HEAD)) return undefined;
  const tail = target.indexOf(ROUTE_TAIL, ROUTE_HEAD.length);
  if (tail <= ROUTE_HEAD.length) return undefined;
  const end = tail + ROUTE_TAIL.length;
  if (end !== target.length && target.charCodeAt(end) !== 63 /* ? */) return undefined;
  const id = target.slice(ROUTE_HEAD.length, tail);
  return /^[^/%\\]+$/.test(id) ? id : undefined;
}

/** Host headers node-server has been seen to accept; a few, however many a caller makes up. */
const ACCEPTED_HOSTS_MAX = 16;

/**
 * The fast path of the merchant half mounted at `/` (as server/compose.ts mounts it). A cache hit
 * is read exactly as statusAnswer reads it (`cachedStatus`), so the fast path serves nothing the
 * route would not: never while the feed may have missed a change, nor after another process wrote
 * to the SQLite file.
 */
export function statusFastPath(deps: Pick<MerchantDeps, 'store' | 'feed' | 'config'>, parts: StatusFastPathParts = {}): NodeFastPath {
  const reads = statusReadsOf(deps.store);
  const payeeName = deps.config.MERCHANT_NAME ?? null;
  const origins = allowedOriginsOf(deps.config.ALLOWED_ORIGINS);
  const corsOf = corsAnswerHeaders(statusCors(origins));
  const { requestId, logsPolls, countRequest } = parts;
  const acceptedHosts = new Set<string>();

  /** What node-server decides for the Host header (a 400 for one it refuses, its own default for none): those go to it. */
  const acceptedHost = (host: string | undefined): boolean => {
    if (!host) return false;
    if (acceptedHosts.has(host)) return true;
    let hostname: string;
    try {
      hostname = new URL(`http://${host}/`).hostname;
    } catch {
      return false;
    }
    if (hostname.length !== host.length && hostname !== host.replace(/:\d+$/, '')) return false;
    if (acceptedHosts.size < ACCEPTED_HOSTS_MAX) acceptedHosts.add(host);
    return true;
  };

  return (incoming, outgoing) => {
    if (incoming.method !== 'GET') return false;
    const started = performance.now();
    const id = statusRouteId(incoming.url ?? '');
    if (id === undefined || logsPolls?.() || !acceptedHost(incoming.headers.host)) return false;
    const document = cachedStatus(reads, deps.feed.statusCache(), id, payeeName);
    if (!document) return false;
    const { headers: given } = incoming;
    // In the order Hono's chain sets them: the request log, CORS, the route, then the answer's own.
    const headers: Array<string | number> = requestId ? ['x-request-id', requestId(given['x-request-id'] as string | undefined)] : [];
    headers.push(...corsOf(origins === '*' ? undefined : given.origin), 'cache-control', STATUS_CACHE_CONTROL, 'etag', document.etag);
    const status = given['if-none-match'] === document.etag ? 304 : 200;
    if (status === 304) outgoing.writeHead(304, headers).end();
    else {
      headers.push('content-type', STATUS_CONTENT_TYPE, 'Content-Length', Buffer.byteLength(document.body));
      outgoing.writeHead(200, headers).end(document.body);
    }
    countRequest?.('GET', STATUS_ROUTE, status, started);
    return true;
  };
}
