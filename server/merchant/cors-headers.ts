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

/** ALLOWED_ORIGINS as the CORS options take it: `*`, or the list of allowed origins. */
export function allowedOriginsOf(allowedOrigins: string): '*' | string[] {
  return allowedOrigins.trim() === '*' ? '*' : allowedOrigins.split(',').map((o) => o.trim());
}

/**
 * The CORS headers of an answer (not a preflight) to a request from `origin`, as name, value,
 * name, value: what the middleware below sets, and what the status route's fast path sends
 * (status-fast-path.ts).
 */
export function corsAnswerHeaders(options: CorsHeadersOptions): (origin: string | undefined) => readonly string[] {
  const expose = options.exposeHeaders?.length ? ['access-control-expose-headers', options.exposeHeaders.join(',')] : [];
  if (options.origin === '*') {
    const any = ['access-control-allow-origin', '*', ...expose];
    return () => any;
  }
  const allowed = new Set(options.origin);
  // The answer depends on the request's Origin: caches must keep one per origin.
  const others = ['vary', 'Origin', ...expose];
  return (origin) => (origin && allowed.has(origin) ? ['access-control-allow-origin', origin, ...others] : others);
}

/** The same headers Hono's `cors` sends, set where the handler's answer keeps them as they are. */
export function corsHeaders(options: CorsHeadersOptions): MiddlewareHandler {
  const preflight = cors({ origin: options.origin, allowMethods: options.allowMethods, allowHeaders: options.allowHeaders ?? [], exposeHeaders: options.exposeHeaders ?? [] });
  const answerHeaders = corsAnswerHeaders(options);
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    const headers = answerHeaders(options.origin === '*' ? undefined : requestHeader(c, 'origin'));
    for (let i = 0; i < headers.length; i += 2) responseHeader(c, headers[i]!, headers[i + 1]!);
    await next();
  };
}
