/**
 * The built-in sandbox: stand-ins for the outside systems, mounted at `/sandbox` when
 * MIXPAY_SANDBOX=1. Each system is its own sub-app; this file only composes them.
 */
import { Hono } from 'hono';
import { createMixPaySandbox } from './mixpay/index.ts';
import { createMixinSandbox } from './mixin/index.ts';
import { createMixPayCheckoutSandbox } from './mixpay-checkout/index.ts';
import { walletEntries } from '../wallets/registry.ts';

export interface SandboxOptions {
  /** Multiplies callback retry delays (1 = the providers' real schedules). */
  timeScale: number;
  fetch?: typeof fetch;
  now?: () => number;
  log?: (line: string) => void;
  /** MixPay's per-caller request budget on its API; 60 when unset, 'unlimited' for none (see MixPaySandboxOptions). */
  rateLimitPerMinute?: number | 'unlimited';
}

/** The page at /sandbox: where each stand-in lives. Static, so nothing here needs escaping. */
const SANDBOX_INDEX = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sandbox · mixpay-checkout</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem}code{font-size:.9em}</style>
<h1>Sandbox</h1>
<p>Stand-ins for the outside systems, served by this server. No real money moves. Never enable in production.</p>
<ul>
<li><a href="/sandbox/mixpay">MixPay</a>: one-time links minted so far, each with its pay page (pay, pay less, pending, fail, expire) and callback log.</li>
<li><a href="/sandbox/mixpay-checkout">MixPay checkout (broker mode)</a>: plays MixPay calling this server's broker endpoints.</li>
<li><a href="/sandbox/mixin/_sandbox/">Mixin</a>: the broker bot's balances, snapshots, refunds from MixPay and operator alerts.</li>
<li>The wallets (Binance Pay, MugglePay, and any other in server/wallets/registry.ts): their hosted pay pages open from broker orders.</li>
</ul>
<p><a href="/">Back to the demo shop</a></p>
</html>`;

/** A Hono app with `stop()`, which cancels every timer the sandbox started (call it on shutdown). */
export type SandboxApp = Hono & { stop(): void };

export function createSandbox(options: SandboxOptions): SandboxApp {
  const mixpay = createMixPaySandbox(options);
  // Broker mode's outside parties: Mixin, every registered wallet, and MixPay's checkout page.
  const mixin = createMixinSandbox({ now: options.now });
  const wallets = walletEntries().map((entry) => ({ entry, sandbox: entry.sandbox.create({ now: options.now, fetch: options.fetch, log: options.log }) }));
  const stops = [mixpay.stop, ...wallets.map((w) => w.sandbox.stop)];
  const app = new Hono().route('/mixpay', mixpay.app).route('/mixin', mixin.app);
  for (const { entry, sandbox } of wallets) app.route(`/${entry.sandbox.path}`, sandbox.app);
  app.route('/mixpay-checkout', createMixPayCheckoutSandbox({ mixin, fetch: options.fetch, wallets: wallets.map((w) => w.entry.kind) }));
  app.get('/', (c) => c.html(SANDBOX_INDEX, 200, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" }));
  return Object.assign(app, { stop: () => stops.forEach((stop) => stop()) });
}
