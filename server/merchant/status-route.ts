/**
 * What the status route's two answerers share: Hono's route (public-api.ts) and the fast path
 * for cache hits ahead of Hono (status-fast-path.ts) send the same headers, and the request log
 * and the metrics name both by the same pattern (issue 12 §2).
 */
import type { CorsHeadersOptions } from './cors-headers.ts';

/** Where createMerchantApp mounts the public API (app.ts). */
export const PUBLIC_API_PREFIX = '/v1';
/** The status route within the public API. */
export const STATUS_PATH = '/orders/:id/status';
/** The status route's pattern as the metrics and the request log name it. */
export const STATUS_ROUTE = `${PUBLIC_API_PREFIX}${STATUS_PATH}` as const;
/** The status document's type (a 304 has none). */
export const STATUS_CONTENT_TYPE = 'application/json';
/** Every status answer is revalidated: the ETag makes an unchanged one a bodiless 304. */
export const STATUS_CACHE_CONTROL = 'no-cache';

/** The status route's CORS: any allowed origin may poll, send `If-None-Match` and read the ETag. */
export function statusCors(origin: '*' | string[]): CorsHeadersOptions {
  return { origin, allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['if-none-match'], exposeHeaders: ['etag'] };
}
