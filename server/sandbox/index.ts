/**
 * The built-in sandbox: stand-ins for the outside systems, mounted at `/sandbox` when
 * MIXPAY_SANDBOX=1. Each system is its own sub-app; this file only composes them.
 */
import { Hono } from 'hono';
import { createMixPaySandbox } from './mixpay/index.ts';
import { createMixinSandbox } from './mixin/index.ts';
import { createBinanceSandbox } from './binance/index.ts';
import { createMugglePaySandbox } from './mugglepay/index.ts';
import { createMixPayCheckoutSandbox } from './mixpay-checkout/index.ts';

export interface SandboxOptions {
  /** Multiplies callback retry delays (1 = the providers' real schedules). */
  timeScale: number;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
  /** MixPay's per-caller request budget on its API; unset = no limit (see MixPaySandboxOptions). */
  rateLimitPerMinute?: number;
}

/** A Hono app with `stop()`, which cancels every timer the sandbox started (call it on shutdown). */
export type SandboxApp = Hono & { stop(): void };

export function createSandbox(options: SandboxOptions): SandboxApp {
  const mixpay = createMixPaySandbox(options);
  // Broker mode's outside parties: Mixin, two upstream wallets, and MixPay's checkout page.
  const mixin = createMixinSandbox({ now: options.now });
  const binance = createBinanceSandbox({ now: options.now, fetch: options.fetch, log: options.log });
  const mugglepay = createMugglePaySandbox({ now: options.now, fetch: options.fetch, log: options.log });
  const stops = [mixpay.stop, binance.stop, mugglepay.stop];
  const app = new Hono()
    .route('/mixpay', mixpay.app)
    .route('/mixin', mixin.app)
    .route('/binance', binance.app)
    .route('/mugglepay', mugglepay.app)
    .route('/mixpay-checkout', createMixPayCheckoutSandbox({ mixin, fetch: options.fetch }));
  return Object.assign(app, { stop: () => stops.forEach((stop) => stop()) });
}
