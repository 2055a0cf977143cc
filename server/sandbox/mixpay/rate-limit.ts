/**
 * MixPay's rate limit (contracts §1): 60 requests a minute per caller, announced in
 * `x-ratelimit-limit` / `x-ratelimit-remaining`, code 1429 over it. A fixed one-minute window per
 * caller address is close enough for a stand-in.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { SANDBOX_ERRORS, errorEnvelope } from './envelope.ts';

const WINDOW_MS = 60_000;

/** MixPay's limit per caller (contracts §1); the sandbox enforces it unless told 'unlimited'. */
export const MIXPAY_RATE_LIMIT_PER_MINUTE = 60;

export interface RateLimitOptions {
  perMinute: number;
  now: () => number;
}

export function mixpayRateLimit({ perMinute, now }: RateLimitOptions): MiddlewareHandler {
  if (!Number.isInteger(perMinute) || perMinute < 1) {
    throw new RangeError(`rateLimitPerMinute must be a whole number >= 1 (MixPay allows 60), got ${String(perMinute)}`);
  }
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    const at = now();
    if (windows.size > 10_000) {
      for (const [key, window] of windows) if (at - window.start >= WINDOW_MS) windows.delete(key);
    }
    const key = callerOf(c);
    let window = windows.get(key);
    if (!window || at - window.start >= WINDOW_MS) {
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    const remaining = Math.max(0, perMinute - window.count);
    const headers = { 'x-ratelimit-limit': String(perMinute), 'x-ratelimit-remaining': String(remaining) };
    if (window.count > perMinute) {
      const { code, httpStatus, message } = SANDBOX_ERRORS.rateLimited;
      const retryAfter = Math.max(1, Math.ceil((window.start + WINDOW_MS - at) / 1000));
      return c.json(errorEnvelope(code, message, at), httpStatus, { ...headers, 'retry-after': String(retryAfter) });
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
  };
}

/** The caller's address when served by @hono/node-server; one shared bucket otherwise (app.request in tests). */
function callerOf(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
