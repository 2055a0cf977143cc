/**
 * One real HTTP server holding the broker (under /mixpay) and the sandbox's Mixin and every
 * registered wallet (under /sandbox/...), configured with the development broker config, as
 * `npm start` composes them.
 */
import { eventually as waitFor, type Truthy } from '../support/wait.ts';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { brokerDevelopmentConfig, parseBrokerConfig, type BrokerConfig } from '../../server/broker/config.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { createBrokerDeps, type BrokerDeps } from '../../server/broker/deps.ts';
import { createMixinSandbox, type MixinSandbox, type MixinSandboxOptions } from '../../server/sandbox/mixin/index.ts';
import { createBinanceSandbox, type BinanceSandbox } from '../../server/sandbox/binance/index.ts';
import { createMugglePaySandbox, type MugglePaySandbox } from '../../server/sandbox/mugglepay/index.ts';
import { createMixPayCheckoutSandbox } from '../../server/sandbox/mixpay-checkout/index.ts';
import type { Store } from '../../server/store/db.ts';
import { walletEntries, type WalletSandbox } from '../../server/wallets/registry.ts';

export interface BrokerWorld {
  url: string;
  deps: BrokerDeps;
  config: BrokerConfig;
  mixin: MixinSandbox;
  binance: BinanceSandbox;
  mugglepay: MugglePaySandbox;
  /** Every wallet sandbox by its mount path, the two above included. */
  sandboxes: Map<string, WalletSandbox>;
  logs: string[];
  clock: { offsetMs: number };
  close(): Promise<void>;
}

export async function startBrokerWorld(
  store: Store,
  options: { mixin?: MixinSandboxOptions; tweak?: (config: Record<string, any>) => void } = {},
): Promise<BrokerWorld> {
  const mixin = createMixinSandbox(options.mixin);
  const binance = createBinanceSandbox({ webhookRetryMs: 100 });
  const mugglepay = createMugglePaySandbox({ callbackRetryMs: 100 });
  const sandboxes = new Map<string, WalletSandbox>([['binance', binance], ['mugglepay', mugglepay]]);
  for (const entry of walletEntries()) if (!sandboxes.has(entry.sandbox.path)) sandboxes.set(entry.sandbox.path, entry.sandbox.create({ retryMs: 100 }));
  const root = new Hono();
  let handler: Hono = new Hono();
  root.all('*', (c) => handler.fetch(c.req.raw));
  const server: Listening = await listen(root.fetch);
  const raw = JSON.parse(JSON.stringify(brokerDevelopmentConfig(server.url)));
  raw.intervals = { balances_ms: 100, snapshots_ms: 100, jobs_ms: 100, wallet_poll_ms: 200 };
  raw.mixin.timeout_ms = 3000;
  options.tweak?.(raw);
  const config = parseBrokerConfig(raw);
  const logs: string[] = [];
  const clock = { offsetMs: 0 };
  const deps = createBrokerDeps({ config, store, publicUrl: server.url, now: () => Date.now() + clock.offsetMs, log: (line) => void logs.push(line) });
  const app = new Hono().route('/mixpay', createBrokerApp(deps)).route('/sandbox/mixin', mixin.app);
  for (const [path, sandbox] of sandboxes) app.route(`/sandbox/${path}`, sandbox.app);
  handler = app.route('/sandbox/mixpay-checkout', createMixPayCheckoutSandbox({ mixin }));
  return {
    url: server.url,
    deps,
    config,
    mixin,
    binance,
    mugglepay,
    sandboxes,
    logs,
    clock,
    async close() {
      for (const sandbox of sandboxes.values()) sandbox.stop();
      await server.close();
    },
  };
}

/** The broker suites wait 8 s by default (settlement goes through three workers); the one `eventually` of test/support/wait.ts. */
export function eventually<T>(check: () => T | Promise<T>, what: string, ms = 8000): Promise<Truthy<T>> {
  return waitFor(check, ms, what);
}
