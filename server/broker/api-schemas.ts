/**
 * Request schemas for the two endpoints MixPay calls (seed 000 §2, contracts §2). Every failure
 * becomes a ParameterError (11000) whose message names the field.
 */
import Big from 'big.js';
import { z } from 'zod';
import { isDecimal, isPositive } from '../core/amounts.ts';
import { canonicalUuid } from '../core/ids.ts';
import { ParameterError } from './api-errors.ts';

/** A value above this is milliseconds, below it seconds (the unit MixPay sends is unconfirmed). */
export const MILLISECONDS_THRESHOLD = 1e12;
/**
 * expired_at further ahead than this is refused. MixPay's own links live at most 2880 minutes
 * (contracts §1), and an open order keeps its amount out of the bot's balance until it expires,
 * so a far-off expiry would let one request block the balance for that long.
 */
export const MAX_EXPIRY_AHEAD_MS = 2880 * 60_000;
/** Mixin refuses a longer memo (contracts §3); counted in UTF-8 bytes, the strictest reading. */
export const MAX_MEMO_BYTES = 200;

/** C0 controls, DEL and C1 controls: never part of a memo or a URL MixPay means. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const required = (kind: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${kind}`),
});

/** The id in its stored form, read once (not checked by a refine and read again: create_order reads four). */
const toUuid = (v: string, ctx: z.RefinementCtx) => {
  const id = canonicalUuid(v);
  if (id !== null) return id;
  ctx.addIssue({ code: 'custom', message: 'must be a UUID' });
  return z.NEVER;
};

const uuid = z.string(required('a UUID string')).transform(toUuid);

/** payee_id: "String 32-36 ... in UUID format" (seed 000). */
const payeeId = z
  .string(required('a string'))
  .refine((v) => v.length >= 32 && v.length <= 36, 'must be 32 to 36 characters')
  .transform(toUuid);

const wallet = z
  .string(required('a string'))
  .min(1, 'must not be empty')
  .max(20, 'must be at most 20 characters');

/** A positive decimal with at most 8 places, as text or a JSON number. */
const amount = z
  .union([z.string(), z.number()], required('a decimal amount such as "0.10000000"'))
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? numberText(v) : v.trim();
    if (text === null || !isDecimal(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a decimal with at most 8 decimal places, e.g. "0.10000000"' });
      return z.NEVER;
    }
    if (!isPositive(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than zero' });
      return z.NEVER;
    }
    return new Big(text).toFixed();
  });

const expiredAt = z
  .union([z.string(), z.number()], required('a Unix timestamp in seconds or milliseconds'))
  .transform((v, ctx) => {
    const text = typeof v === 'number' ? String(v) : v.trim();
    if (!/^\d{1,16}$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: 'must be a Unix timestamp in seconds or milliseconds' });
      return z.NEVER;
    }
    const n = Number(text);
    return n > MILLISECONDS_THRESHOLD ? n : n * 1000;
  });

/**
 * The WHATWG parser drops tabs and newlines and trims spaces, so `new URL` alone would accept a
 * value whose raw text cannot go into a Location header: such characters are refused first.
 */
const returnUrl = z
  .string(required('a string'))
  .max(200, 'must be at most 200 characters')
  .refine((v) => !CONTROL.test(v) && !/\s/.test(v), 'must not contain spaces or control characters')
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'https:' || u.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

export const rangeQuerySchema = z.object({ payee_id: payeeId, wallet });

export const createOrderSchema = z.object({
  payee_id: payeeId,
  wallet,
  asset_id: uuid,
  amount,
  trace_id: uuid,
  memo: z
    .string(required('a string'))
    .refine((v) => v.trim() !== '', 'must not be empty')
    .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_MEMO_BYTES, `must be at most ${MAX_MEMO_BYTES} bytes (UTF-8), as Mixin requires`)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters'),
  expired_at: expiredAt,
  return_url: returnUrl,
  opponent_id: uuid,
});

export type RangeQuery = z.infer<typeof rangeQuerySchema>;
export type CreateOrderRequest = z.infer<typeof createOrderSchema>;

function firstIssue(error: z.ZodError): ParameterError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'body';
  return new ParameterError(field, issue.message);
}

function numberText(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const text = String(n);
  if (!/e/i.test(text)) return text;
  try {
    return new Big(text).toFixed();
  } catch {
    return null;
  }
}

/** Parses `?payee_id=&wallet=`; throws ParameterError. */
export function parseRangeQuery(input: Record<string, unknown>): RangeQuery {
  const result = rangeQuerySchema.safeParse(input);
  if (!result.success) throw firstIssue(result.error);
  return result.data;
}

/** Parses a create_order body; `expired_at` comes back in milliseconds and must lie ahead of `now`. */
export function parseCreateOrder(input: Record<string, unknown>, now: number, maxAheadMs = MAX_EXPIRY_AHEAD_MS): CreateOrderRequest {
  const result = createOrderSchema.safeParse(input);
  if (!result.success) throw firstIssue(result.error);
  const order = result.data;
  if (order.expired_at <= now) throw new ParameterError('expired_at', 'must be in the future');
  // An open order holds its amount until it expires: the ceiling (mixpay.max_expiry_minutes,
  // never above MixPay's own 2880) bounds how long one request can keep the balance.
  const ceiling = Math.min(maxAheadMs, MAX_EXPIRY_AHEAD_MS);
  if (order.expired_at > now + ceiling) throw new ParameterError('expired_at', `is more than ${ceiling / 60_000} minutes ahead (mixpay.max_expiry_minutes)`);
  return order;
}

/** Seed 000: the amount must lie inside the asset's [min, max]. */
export function checkAmountInRange(amountText: string, min: string, max: string): void {
  const value = new Big(amountText);
  if (value.lt(new Big(min))) throw new ParameterError('amount', `must be at least ${min}`);
  if (value.gt(new Big(max))) throw new ParameterError('amount', `must be at most ${max}`);
}

/**
 * What the customer pays: amount plus the fee fraction, rounded up to the places the wallet's
 * currency has (8 for crypto, 2 for a fiat price). Rounding goes up so the broker never receives
 * less than `amount` plus its fee; the rounding lands in the fee.
 */
export function customerTotal(amountText: string, feeFraction: string, decimals = 8): { fee: string; total: string } {
  const amount = new Big(amountText);
  const total = amount.times(new Big(1).plus(new Big(feeFraction))).round(decimals, Big.roundUp);
  return { fee: total.minus(amount).toFixed(), total: total.toFixed() };
}
