/**
 * `POST /v1/checkout` is public: anyone can call it, and every call mints a MixPay link that spends
 * from the installation's 60-a-minute budget and stores an order. This limits how many checkouts
 * one caller may start a minute (a fixed window per address, O(1) per request: see core/address-limits.ts), so one script cannot fill the
 * database or crowd out real customers. The caller is the socket's address, or with
 * `TRUST_PROXY` the last `X-Forwarded-For` entry (the one our own proxy appended).
 */
import type { MiddlewareHandler } from 'hono';
import { callerOf } from '../core/caller.ts';
import { errorBody } from './api-errors.ts';
import { WindowCounter } from '../core/address-limits.ts';

const WINDOW_MS = 60_000;

export interface CheckoutLimitOptions {
  /** Checkouts one caller may start a minute; 0 turns the limit off. */
  perMinute: number;
  trustProxy: boolean;
  now: () => number;
}

export function checkoutLimit({ perMinute, trustProxy, now }: CheckoutLimitOptions): MiddlewareHandler {
  if (!Number.isInteger(perMinute) || perMinute < 0) throw new RangeError(`checkoutLimit: perMinute must be a whole number >= 0, got ${String(perMinute)}`);
  const windows = perMinute > 0 ? new WindowCounter(perMinute, WINDOW_MS, now) : null;
  return async (c, next) => {
    if (!windows || c.req.method !== 'POST') return next();
    const verdict = windows.hit(callerOf(c, trustProxy));
    if (!verdict.allowed) {
      c.header('retry-after', String(verdict.retryAfterSeconds));
      return c.json(errorBody(429, 'RATE_LIMITED', `too many checkouts from this address; try again in ${verdict.retryAfterSeconds} s`), 429);
    }
    await next();
  };
}
