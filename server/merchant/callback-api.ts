/**
 * `POST /mixpay/callback`: MixPay says "look at this payment" and deliberately not how it went
 * (seed 001). We look it up ourselves and answer `{"code":"SUCCESS"}` once handled, forged and
 * unknown ids included; while MixPay's result API cannot be reached we answer otherwise, so that
 * MixPay calls again on its retry schedule.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app.ts';
import { isRetryLater } from '../core/upstream-errors.ts';
import { MixPayApiError } from '../mixpay/errors.ts';
import { reportCallback } from '../ops/channels.ts';
import { callerOf, plainAddress } from './caller.ts';
import { findOrderForCallback } from './order-store.ts';
import { syncOrderWithMixPay } from './payment-sync.ts';

const HANDLED = { code: 'SUCCESS' } as const;

/** MixPay's callback is three ids; anything near this size is not from MixPay. */
export const CALLBACK_BODY_LIMIT = 16 * 1024;

/**
 * The ids a callback names: seed 001 sends JSON, but a form-encoded body is read the same way
 * (MixPay's own API takes both). Any other body names no order.
 */
export function callbackFields(text: string, contentType: string): Record<string, unknown> {
  if (/application\/x-www-form-urlencoded/i.test(contentType)) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // A body we cannot read names no order; retrying it would not help.
  }
  return {};
}

export interface CallbackApiOptions {
  /** When not empty, the only caller addresses whose callbacks are looked at (MIXPAY_CALLBACK_IPS). */
  allowedIps?: readonly string[];
  trustProxy?: boolean;
}

export function callbackApi(log: (line: string) => void, { allowedIps = [], trustProxy = false }: CallbackApiOptions = {}) {
  const allowed = new Set(allowedIps.map(plainAddress));
  return new Hono<AppEnv>().post(
    '/callback',
    async (c, next) => {
      if (allowed.size === 0) return next();
      const caller = plainAddress(callerOf(c, trustProxy));
      if (allowed.has(caller)) return next();
      // Not MixPay: no lookup, no MixPay call, nothing changes.
      log(`mixpay callback from ${caller}, not in MIXPAY_CALLBACK_IPS; ignored`);
      reportCallback({ outcome: 'forbidden' });
      return c.json({ code: 'FORBIDDEN', message: 'callbacks are accepted from MixPay only' }, 403);
    },
    bodyLimit({
      maxSize: CALLBACK_BODY_LIMIT,
      onError: (c) => {
        // The rest of the body is never read, so this connection cannot carry another request.
        c.header('Connection', 'close');
        return c.json({ code: 'BODY_TOO_LARGE', message: `a MixPay callback is a few ids; this body is over ${CALLBACK_BODY_LIMIT} bytes` }, 413);
      },
    }),
    async (c) => {
      const deps = c.get('deps');
      const body = callbackFields(await c.req.text(), c.req.header('content-type') ?? '');
      // MUST 1: the order exists in our database. Anyone can post any id here.
      const order = await findOrderForCallback(deps.store.db, body.orderId, body.traceId);
      if (!order) {
        log(`mixpay callback for unknown order ${JSON.stringify(body.orderId ?? body.traceId ?? null)}; ignored`);
        reportCallback({ outcome: 'unknown_order' });
        return c.json(HANDLED);
      }
      try {
        // MUST 2 and 3 live in syncOrderWithMixPay: awaiting a result, then the verified result.
        const outcome = await syncOrderWithMixPay(deps, order, 'callback');
        if (outcome.kind === 'mismatch') {
          log(`mixpay callback: order ${order.id} result ${outcome.verdict.field} is ${outcome.verdict.actual}, expected ${outcome.verdict.expected}; not applied`);
        }
        if (outcome.kind === 'changed') deps.bus.publish(order.id);
        reportCallback(outcome.kind === 'not_awaiting' ? { outcome: 'not_awaiting' } : outcome.kind === 'mismatch' ? { outcome: 'mismatch', field: outcome.verdict.field } : { outcome: outcome.verdict.kind });
        return c.json(HANDLED);
      } catch (error) {
        if (isRetryLater(error)) {
          log(`mixpay callback: order ${order.id} result unavailable (${error.message}); asking MixPay to retry`);
          reportCallback({ outcome: 'retry' });
          return c.json({ code: 'RETRY', message: 'payment result temporarily unavailable' }, 503);
        }
        if (error instanceof MixPayApiError) {
          // MixPay says it has no such payment: nothing to apply, nothing to retry.
          log(`mixpay callback: order ${order.id}: ${error.message}`);
          reportCallback({ outcome: 'no_payment' });
          return c.json(HANDLED);
        }
        throw error;
      }
    },
  );
}
