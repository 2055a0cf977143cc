/**
 * Validation of `POST /one_time_payment` as contracts §1 describes it. Official clients send JSON
 * or form bodies, so every field may arrive as text; numbers and booleans are accepted from JSON.
 */
import { z } from 'zod';
import { isDecimal, isPositive } from '../../core/amounts.ts';
import { isUuid } from '../../core/ids.ts';
import type { CallbackEvent } from '../../mixpay/types.ts';
import { SandboxError } from './envelope.ts';

export const CALLBACK_EVENTS = ['success', 'fail', 'pending', 'paid_less', 'settle'] as const satisfies readonly CallbackEvent[];

/** Contracts §1: more than 10 s and less than 2880 minutes ahead. */
const MIN_EXPIRY_AHEAD_SECONDS = 10;
const MAX_EXPIRY_AHEAD_SECONDS = 2880 * 60;

/** Hosts where a plain-http callbackUrl is allowed, so that a server on a laptop can be called. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const absentIfEmpty = (value: unknown) => (value === '' || value === null ? undefined : value);
const textIfNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : value);

const id = (what: string) =>
  z.preprocess(absentIfEmpty, z.string({ error: `${what} is required` }).trim().regex(/^[A-Za-z0-9-]{1,64}$/, `${what} must be an id of letters, digits and dashes`));
/**
 * A quote asset: an asset UUID or a lower-case fiat code such as `usd` (contracts §1). MixPay's
 * quote list spells fiat codes in lower case; whether it would fold `USD` is unconfirmed, so the
 * sandbox refuses it, and a client that sends it fails here rather than in production.
 */
export const FIAT_CODE = /^[a-z]{3}$/;
const quoteAsset = z.preprocess(
  absentIfEmpty,
  z
    .string({ error: 'quoteAssetId is required' })
    .trim()
    .refine((v) => isUuid(v) || FIAT_CODE.test(v), 'quoteAssetId must be an asset UUID or a lower-case fiat code such as usd (not USD)'),
);

const optionalText = (max: number) => z.preprocess(absentIfEmpty, z.string().max(max, `must be at most ${max} characters`).optional());

export const decimalAmount = z.preprocess(
  (value) => textIfNumber(absentIfEmpty(value)),
  z
    .string({ error: 'is required, as a decimal string such as "9.99"' })
    .trim()
    .refine(isDecimal, 'must be a decimal string with at most 8 decimal places, such as "9.99"')
    .refine(isPositive, 'must be greater than zero'),
);

const callbackUrl = z.preprocess(
  absentIfEmpty,
  z
    .string()
    .max(2048)
    .refine(isAllowedCallbackUrl, 'must be an https URL (plain http only for localhost, 127.0.0.1 or [::1])')
    .optional(),
);

const callbackEvent = z.preprocess(
  absentIfEmpty,
  z
    .string()
    .transform((text, ctx) => {
      const events = text.split('|').map((part) => part.trim());
      const unknown = events.filter((event) => !(CALLBACK_EVENTS as readonly string[]).includes(event));
      if (unknown.length) {
        ctx.addIssue({ code: 'custom', message: `lists unknown events ${JSON.stringify(unknown)}; use ${CALLBACK_EVENTS.join('|')}` });
        return z.NEVER;
      }
      return [...new Set(events)] as CallbackEvent[];
    })
    .optional(),
);

const unixSeconds = z.preprocess(
  (value) => {
    const v = absentIfEmpty(value);
    return typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  },
  z.number({ error: 'must be a Unix timestamp in seconds' }).int('must be a whole number of seconds').optional(),
);

const flag = z.preprocess((value) => {
  const v = absentIfEmpty(value);
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return v;
}, z.boolean().optional());

const schema = z
  .object({
    payeeId: id('payeeId'),
    quoteAmount: decimalAmount,
    quoteAssetId: quoteAsset,
    settlementAssetId: id('settlementAssetId'),
    orderId: z.preprocess(absentIfEmpty, z.string().regex(/^[A-Za-z0-9_-]{6,36}$/, 'must be 6-36 letters, digits, dashes or underscores').optional()),
    traceId: z.preprocess(absentIfEmpty, z.string().refine(isUuid, 'must be a UUID').optional()),
    paymentAssetId: z.preprocess(absentIfEmpty, id('paymentAssetId').optional()),
    remark: optionalText(50),
    settlementMemo: optionalText(200),
    returnTo: optionalText(2048),
    failedReturnTo: optionalText(2048),
    callbackUrl,
    callbackEvent,
    expiredTimestamp: unixSeconds,
    strictMode: flag,
  })
  .refine((body) => body.orderId !== undefined || body.traceId !== undefined, {
    message: 'orderId or traceId is required',
    path: ['orderId'],
  });

export type OneTimePaymentInput = z.output<typeof schema>;

/** Parses a create request or throws a parameter error that names the field and what to send. */
export function parseOneTimePayment(body: unknown, nowMs: number): OneTimePaymentInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SandboxError('parameter', 'Send a JSON object or a form-encoded body.');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    const message = issue?.message ?? 'is invalid';
    throw new SandboxError('parameter', message.startsWith(field) ? `${message}.` : `${field} ${message}.`);
  }
  const input = parsed.data;
  if (input.expiredTimestamp !== undefined) {
    const ahead = input.expiredTimestamp - Math.floor(nowMs / 1000);
    if (ahead <= MIN_EXPIRY_AHEAD_SECONDS || ahead >= MAX_EXPIRY_AHEAD_SECONDS) {
      throw new SandboxError(
        'parameter',
        `expiredTimestamp must be Unix seconds more than ${MIN_EXPIRY_AHEAD_SECONDS} s and less than 2880 minutes ahead (it is ${ahead} s ahead).`,
      );
    }
  }
  return input;
}

/** Seed 001 allows https only; the sandbox also allows http on loopback hosts for local servers. */
export function isAllowedCallbackUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}
