/**
 * How the sandbox Binance Pay checks a merchant's request (contracts §4): a known
 * `BinancePay-Certificate-SN` (the API key), a timestamp within the receive window, a nonce of 32
 * letters, and `BinancePay-Signature` = uppercase hex HMAC-SHA512(secret, `timestamp\nnonce\nbody\n`)
 * compared in constant time. The merchant and the raw body reach the handlers as context variables.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';

export interface BinanceMerchant {
  apiKey: string;
  secretKey: string;
}

export type BinanceApiEnv = { Variables: { merchant: BinanceMerchant; body: string } };

/** Binance's recvWindow for a request timestamp. */
export const RECV_WINDOW_MS = 60_000;

/** Binance's error envelope; 400002 is its code for every signature failure. */
export function binanceFailure(c: Context, status: 400 | 401 | 404, code: string, message: string) {
  return c.json({ status: 'FAIL', code, errorMessage: message }, status);
}

export function requireSignedRequest(merchants: Map<string, BinanceMerchant>, now: () => number) {
  return createMiddleware<BinanceApiEnv>(async (c, next) => {
    const timestamp = c.req.header('BinancePay-Timestamp') ?? '';
    const nonce = c.req.header('BinancePay-Nonce') ?? '';
    const signature = c.req.header('BinancePay-Signature') ?? '';
    const merchant = merchants.get(c.req.header('BinancePay-Certificate-SN') ?? '');
    const body = await c.req.text();
    if (!merchant) return binanceFailure(c, 401, '400002', 'Signature for this request is not valid: unknown BinancePay-Certificate-SN');
    if (!/^\d+$/.test(timestamp) || Math.abs(now() - Number(timestamp)) > RECV_WINDOW_MS) return binanceFailure(c, 401, '400002', 'Timestamp for this request is outside of the recvWindow');
    if (!/^[A-Za-z]{32}$/.test(nonce)) return binanceFailure(c, 401, '400002', 'BinancePay-Nonce must be 32 letters');
    const expected = Buffer.from(createHmac('sha512', merchant.secretKey).update(`${timestamp}\n${nonce}\n${body}\n`).digest('hex').toUpperCase());
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return binanceFailure(c, 401, '400002', 'Signature for this request is not valid.');
    c.set('merchant', merchant);
    c.set('body', body);
    await next();
  });
}
