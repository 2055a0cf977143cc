/**
 * CORS for the element's hot GET routes (`/status`, `/events`), without leaving
 * @hono/node-server's fast path. Hono's `cors` touches `c.res` before the handler runs, and Hono
 * then rebuilds the handler's answer around its body stream: node-server can no longer write the
 * string directly, which halved a bare app's throughput (issue 12 §2). Here the headers are set
 * before the handler, on Node's response when at hand (core/node-headers.ts); preflights
 * (OPTIONS) still go to Hono's `cors`.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { requestHeader, responseHeader } from '../core/node-headers.ts';

export interface CorsHeadersOptions {
  /** `*` or the allowed origins. */
  origin: '*' | string[];
  allowMethods: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
}

/** The same headers Hono's `cors` sends, set where the handler's answer keeps them as they are. */
export function corsHeaders(options: CorsHeadersOptions): MiddlewareHandler {
  const preflight = cors({ origin: options.origin, allowMethods: options.allowMethods, allowHeaders: options.allowHeaders ?? [], exposeHeaders: options.exposeHeaders ?? [] });
  const expose = options.exposeHeaders?.length ? options.exposeHeaders.join(',') : undefined;
  const allowed = options.origin === '*' ? undefined : new Set(options.origin);
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    if (!allowed) responseHeader(c, 'access-control-allow-origin', '*');
    else {
      const origin = requestHeader(c, 'origin');
      if (origin && allowed.has(origin)) responseHeader(c, 'access-control-allow-origin', origin);
      responseHeader(c, 'vary', 'Origin');
    }
    if (expose) responseHeader(c, 'access-control-expose-headers', expose);
    await next();
  };
}
