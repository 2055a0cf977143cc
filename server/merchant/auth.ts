/** Header-token authentication, compared in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorBody } from './api-errors.ts';

/** Equal-length digests make the comparison constant-time whatever the inputs' lengths. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db) && a.length === b.length;
}

/** Requires `<header>: <key>` on every request (MugglePay authenticates with a `token` header). */
export function requireToken(options: { header: string; key: string }): MiddlewareHandler {
  if (!options.key || options.key.length < 8) throw new Error(`requireToken: the ${options.header} key must be at least 8 characters`);
  return async (c, next) => {
    const presented = c.req.header(options.header);
    if (!presented || !safeEqual(presented, options.key)) {
      return c.json(errorBody(401, 'AUTHENTICATION_FAILED', `missing or wrong "${options.header}" header`), 401);
    }
    await next();
  };
}
