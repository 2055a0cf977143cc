/**
 * `POST /v1/checkout` is public: anyone can call it, and every call mints a MixPay link that spends
 * from the installation's 60-a-minute budget and stores an order. This limits how many checkouts
 * one caller may start a minute (a fixed window per address), so one script cannot fill the
 * database or crowd out real customers. The caller is the socket's address, or with
 * `TRUST_PROXY` the last `X-Forwarded-For` entry (the one our own proxy appended).
 */
import type { MiddlewareHandler } from 'hono';
import { callerOf } from './caller.ts';
import { errorBody } from './api-errors.ts';

const WINDOW_MS = 60_000;
/** Windows kept before old ones are swept, so a flood of addresses cannot grow memory without end. */
const SWEEP_AT = 10_000;

export interface CheckoutLimitOptions {
  /** Checkouts one caller may start a minute; 0 turns the limit off. */
  perMinute: number;
  trustProxy: boolean;
  now: () => number;
}

export function checkoutLimit({ perMinute, trustProxy, now }: CheckoutLimitOptions): MiddlewareHandler {
  if (!Number.isInteger(perMinute) || perMinute < 0) throw new RangeError(`checkoutLimit: perMinute must be a whole number >= 0, got ${String(perMinute)}`);
  const windows = new Map<string, { start: number; count: number }>();
  return async (c, next) => {
    if (perMinute === 0 || c.req.method !== 'POST') return next();
    const at = now();
    if (windows.size >= SWEEP_AT) {
      for (const [key, window] of windows) if (at - window.start >= WINDOW_MS) windows.delete(key);
    }
    const key = callerOf(c, trustProxy);
    let window = windows.get(key);
    if (!window || at - window.start >= WINDOW_MS) {
      window = { start: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > perMinute) {
      const retryAfter = Math.max(1, Math.ceil((window.start + WINDOW_MS - at) / 1000));
      c.header('retry-after', String(retryAfter));
      return c.json(errorBody(429, 'RATE_LIMITED', `too many checkouts from this address; try again in ${retryAfter} s`), 429);
    }
    await next();
  };
}
