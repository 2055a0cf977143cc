/** What the broker's routes and workers need, built once from its config; tests swap parts. */
import type { Store } from '../store/db.ts';
import { createMixinClient, type MixinTransfers } from '../mixin/client.ts';
import { createWalletClient } from '../wallets/registry.ts';
import type { WalletAdapter } from '../wallets/types.ts';
import { createAlerter, type Alerter } from './alerts.ts';
import type { BrokerConfig } from './config.ts';

export interface BrokerDeps {
  config: BrokerConfig;
  store: Store;
  /** Where MixPay and customers reach this server; wallet webhooks and return links use it. */
  publicUrl: string;
  mixin: MixinTransfers;
  wallets: Record<string, WalletAdapter>;
  alerts: Alerter;
  /** Milliseconds since the epoch; tests move time by swapping it. */
  now: () => number;
  log: (line: string) => void;
  /** TRUST_PROXY: the caller is the last X-Forwarded-For entry (core/caller.ts). */
  trustProxy?: boolean;
}

/** The broker's routes close over their `BrokerDeps`; no context variables. */
export type BrokerEnv = { Variables: Record<string, never> };

export interface BrokerDepsInput {
  config: BrokerConfig;
  store: Store;
  publicUrl: string;
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  trustProxy?: boolean;
}

/** Builds the Mixin client, one adapter per configured wallet, and the alerter. */
export function createBrokerDeps(input: BrokerDepsInput): BrokerDeps {
  const { config } = input;
  const now = input.now ?? Date.now;
  const log = input.log ?? ((line: string) => console.log(line));
  const wallets: Record<string, WalletAdapter> = {};
  for (const [name, wallet] of Object.entries(config.wallets)) {
    wallets[name] = createWalletClient(wallet, { fetch: input.fetch, now });
  }
  const mixin = createMixinClient({
    baseUrl: config.mixin.base_url,
    app_id: config.mixin.app_id,
    session_id: config.mixin.session_id,
    session_private_key: config.mixin.session_private_key,
    server_public_key: config.mixin.server_public_key,
    pin: config.mixin.pin,
    timeoutMs: config.mixin.timeout_ms,
  });
  const alerts = createAlerter({
    url: config.alerts.url,
    secret: config.alerts.secret,
    repeatSeconds: config.alerts.repeat_seconds,
    fetch: input.fetch ?? fetch,
    now,
    log,
  });
  return { config, store: input.store, publicUrl: input.publicUrl.replace(/\/+$/, ''), mixin, wallets, alerts, now, log, trustProxy: input.trustProxy ?? false };
}
