/**
 * The sandbox's MixPay: the public API under `/v1`, the hosted pay page under `/code`, and the
 * control calls under `/payments`. Everything lives in memory and is lost on restart.
 */
import { Hono } from 'hono';
import { mixpayApi } from './api.ts';
import { assertTimeScale } from './callback-schedule.ts';
import { mixpayControl } from './control.ts';
import { sandboxErrorHandler } from './envelope.ts';
import { mixpayPayPage } from './pay-page.ts';
import { PaymentBook } from './payment-book.ts';
import { MIXPAY_RATE_LIMIT_PER_MINUTE, mixpayRateLimit } from './rate-limit.ts';

export interface MixPaySandboxOptions {
  /** Multiplies callback retry and settlement delays; 0.001 runs MixPay's 3-hour retry chain in 11 s. */
  timeScale: number;
  /** Used to deliver callbacks. */
  fetch?: typeof fetch;
  /** Milliseconds since the epoch; tests move time by swapping it. */
  now?: () => number;
  log?: (line: string) => void;
  /**
   * MixPay's per-caller limit on `/v1`: 60 a minute unless told otherwise, as MixPay enforces it.
   * 'unlimited' turns it off, for suites that call from one address faster than a real caller may.
   */
  rateLimitPerMinute?: number | 'unlimited';
}

export interface MixPaySandbox {
  app: Hono;
  /** Cancels every callback retry and settlement timer. */
  stop(): void;
}

export function createMixPaySandbox(options: MixPaySandboxOptions): MixPaySandbox {
  assertTimeScale(options.timeScale);
  const now = options.now ?? Date.now;
  const book = new PaymentBook({ timeScale: options.timeScale, fetch: options.fetch ?? fetch, now, log: options.log });
  const onError = sandboxErrorHandler(now, options.log);

  const api = new Hono();
  const perMinute = options.rateLimitPerMinute ?? MIXPAY_RATE_LIMIT_PER_MINUTE;
  if (perMinute !== 'unlimited') api.use('*', mixpayRateLimit({ perMinute, now }));
  api.route('/', mixpayApi(book, now)).onError(onError);

  const app = new Hono()
    .route('/v1', api)
    .route('/payments', mixpayControl(book, now).onError(onError))
    .route('/', mixpayPayPage(book, now).onError(onError));
  return { app, stop: () => book.stop() };
}
