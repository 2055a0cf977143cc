/**
 * `POST /mixpay/callback`: MixPay says "look at this payment" and deliberately not how it went
 * (seed 001). We look it up ourselves and answer `{"code":"SUCCESS"}` once handled, forged and
 * unknown ids included; while MixPay's result API cannot be reached, answers without a usable
 * result, or a caller that is not MixPay has used up its checks (mixpay/callback-limits.ts), we
 * answer otherwise, so that MixPay calls again on its retry schedule.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { MerchantEnv } from './deps.ts';
import { isRetryLater, UpstreamRateLimitedError } from '../core/upstream-errors.ts';
import { BudgetedMixPay } from '../mixpay/call-budget.ts';
import { claimOrderCheck, isKnownCallbackSource, SourceCheckLimiter } from '../mixpay/callback-limits.ts';
import { MixPayApiError } from '../mixpay/errors.ts';
import { reportCallback } from '../core/channels.ts';
import { callerOf, plainAddress } from '../core/caller.ts';
import { findOrderForCallback } from './order-store.ts';
import { awaitsResult, syncOrderWithMixPay } from './payment-sync.ts';

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
  const allowedList = [...allowed];
  // Per process: the per-source cap on MixPay checks caused by callbacks from unknown sources.
  let sources: SourceCheckLimiter | undefined;
  return new Hono<MerchantEnv>().post(
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
      let mixpay = deps.mixpay;
      const caller = plainAddress(callerOf(c, trustProxy));
      if (awaitsResult(order) && !isKnownCallbackSource(caller, { MIXPAY_CALLBACK_IPS: allowedList, MIXPAY_SANDBOX: deps.config.MIXPAY_SANDBOX })) {
        // Not MixPay's address: this check may not spend the merchant's budget (issue 13 §4).
        sources ??= new SourceCheckLimiter(deps.config.MIXPAY_CALLBACK_CHECKS_PER_SOURCE, () => deps.now());
        const wait = sources.take(caller) || (await claimOrderCheck(deps.store.db, order.id, deps.now()));
        if (wait > 0) {
          log(`mixpay callback for order ${order.id} from ${caller}: too many checks from this address or for this order; asking to be called again`);
          return c.json({ code: 'RETRY', message: 'too many callback checks; call again later' }, 429, { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) });
        }
        if (mixpay instanceof BudgetedMixPay) mixpay = mixpay.reserving(deps.config.MIXPAY_RESERVED_CALLS).waitingAtMost(0);
      }
      try {
        // MUST 2 and 3 live in syncOrderWithMixPay: awaiting a result, then the verified result.
        const outcome = await syncOrderWithMixPay({ ...deps, mixpay }, order, 'callback');
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
          const retryAfter = error instanceof UpstreamRateLimitedError && error.retryAfterMs ? { 'retry-after': String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) } : undefined;
          return c.json({ code: 'RETRY', message: 'payment result temporarily unavailable' }, 503, retryAfter);
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
