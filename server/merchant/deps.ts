/**
 * What the merchant half's routes and workers need, built once from its settings; tests build
 * their own and swap the outside clients. (The broker half's counterpart is broker/deps.ts.)
 */
import { MixPayClient } from '../mixpay/client.ts';
import { BudgetedMixPay, budgetLimitOf, CallBudget, type MixPayApi } from '../mixpay/call-budget.ts';
import type { Store } from '../store/db.ts';
import { Catalog } from './catalog.ts';
import { incomeCheckKeys, type MerchantConfig } from './config.ts';
import { StatusBus } from './status-bus.ts';
import { StatusFeed } from './status-feed.ts';

export interface MerchantDeps {
  config: MerchantConfig;
  store: Store;
  /** MixPay's API; in a running server a BudgetedMixPay drawing on the installation's shared budget. */
  mixpay: MixPayApi;
  /**
   * MixPay for the workers: the same budget, leaving MIXPAY_RESERVED_CALLS to callbacks and new
   * links, and never waiting for a token. Without it the workers use `mixpay`.
   */
  background?: MixPayApi;
  bus: StatusBus;
  /** Fans each order's changes out to its open event streams (status-feed.ts). */
  feed: StatusFeed;
  catalog: Catalog;
  /** Milliseconds since the epoch; tests move time by swapping it. */
  now: () => number;
  /** Income check (seed 003 §3): PAID only after the payee bot received MixPay's transfer. */
  incomeCheck?: boolean;
  /** A line, with fields for the JSON log (server/ops/logger.ts backs it with pino). */
  log: (line: string, fields?: Record<string, unknown>) => void;
}

export type MerchantEnv = { Variables: { deps: MerchantDeps } };

export interface MerchantDepsInput {
  config: MerchantConfig;
  store: Store;
  now?: () => number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

/** Builds the budgeted MixPay clients, the status bus and the catalog from the half's settings. */
export function createMerchantDeps(input: MerchantDepsInput): MerchantDeps {
  const { config, store } = input;
  const now = input.now ?? Date.now;
  // Every MixPay call of this installation (links, callback checks, reconciliation) draws on one
  // budget kept in the database, shared with every other process on the same database.
  const budget = new CallBudget(store.db, { perMinute: budgetLimitOf(config), now });
  const mixpay = new MixPayClient({ baseUrl: config.MIXPAY_API_BASE });
  const bus = new StatusBus();
  const log = input.log ?? ((line: string) => console.log(line));
  return {
    incomeCheck: incomeCheckKeys(config) !== null,
    config,
    store,
    mixpay: new BudgetedMixPay(mixpay, budget, { maxWaitMs: config.MIXPAY_BUDGET_WAIT_MS }),
    background: new BudgetedMixPay(mixpay, budget, { reserve: config.MIXPAY_RESERVED_CALLS }),
    bus,
    feed: new StatusFeed({ store, bus, payeeName: config.MERCHANT_NAME ?? null, log }),
    catalog: Catalog.fromFile(config.CATALOG_FILE),
    now,
    log,
  };
}
