/**
 * Composes the server from one Hono app per concern. Everything a handler needs arrives through
 * `AppDeps`, so tests build a real app over a temporary database and swap the outside clients.
 */
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Store } from './store/db.ts';
import type { MixPayClient } from './mixpay/client.ts';
import type { StatusBus } from './merchant/status-bus.ts';
import type { Catalog } from './merchant/catalog.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  mixpay: MixPayClient;
  bus: StatusBus;
  catalog: Catalog;
  /** Milliseconds since the epoch; tests move time by swapping it. */
  now: () => number;
}

export type AppEnv = { Variables: { deps: AppDeps } };

export interface AppParts {
  /** Extra sub-apps mounted by main (sandbox, demo) which are not part of the merchant's API. */
  extra?: Array<{ path: string; app: Hono<any> }>;
}
