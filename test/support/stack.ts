/**
 * The companion server and the MixPay sandbox in one process over real HTTP, on a free port,
 * over a given store: MixPay's callbacks reach our server and our client reaches the sandbox
 * exactly as they would across the internet.
 */
import { after, before } from 'node:test';
import type { Hono } from 'hono';
import { createApp } from '../../server/compose.ts';
import type { MerchantDeps } from '../../server/merchant/deps.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { Catalog } from '../../server/merchant/catalog.ts';
import { StatusBus } from '../../server/merchant/status-bus.ts';
import { StatusFeed } from '../../server/merchant/status-feed.ts';
import { MixPayClient } from '../../server/mixpay/client.ts';
import { createSandbox } from '../../server/sandbox/index.ts';
import type { Store } from '../../server/store/db.ts';
import { listen } from './http.ts';
import type { Backend, TestStore } from './stores.ts';

export const TEST_PAYEE_ID = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';
export const TEST_API_KEY = 'test-merchant-key';

export interface Stack {
  url: string;
  deps: MerchantDeps;
  app: Hono<any>;
  logs: string[];
  close(): Promise<void>;
}

export async function startStack(store: Store, overrides: Partial<Record<keyof Config, string>> = {}): Promise<Stack> {
  let handler: (request: Request, env?: unknown) => Response | Promise<Response> = () => new Response('starting', { status: 503 });
  const server = await listen((request, env) => handler(request, env));
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: server.url,
    MERCHANT_API_KEY: TEST_API_KEY,
    MIXPAY_PAYEE_ID: TEST_PAYEE_ID,
    MIXPAY_API_BASE: `${server.url}/sandbox/mixpay/v1`,
    MIXPAY_PAY_BASE: `${server.url}/sandbox/mixpay`,
    MIXPAY_SANDBOX: '1',
    SANDBOX_TIME_SCALE: '0.001',
    CATALOG_FILE: 'demo/products.json',
    ...overrides,
  });
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const bus = new StatusBus();
  const deps: MerchantDeps = {
    config,
    store,
    mixpay: new MixPayClient({ baseUrl: config.MIXPAY_API_BASE, timeoutMs: 3000 }),
    bus,
    feed: new StatusFeed({ store, bus, payeeName: config.MERCHANT_NAME ?? null, log }),
    catalog: Catalog.fromFile(config.CATALOG_FILE),
    now: () => Date.now(),
    log,
  };
  // The test server calls MixPay without the shared budget, faster than MixPay's 60 a minute allows.
  const sandbox = createSandbox({ timeScale: config.SANDBOX_TIME_SCALE, rateLimitPerMinute: 'unlimited', log });
  const app = createApp(deps, { mounts: [{ path: '/sandbox', app: sandbox }] });
  handler = app.fetch;
  return {
    url: server.url,
    deps,
    app,
    logs,
    async close() {
      await deps.feed.close();
      sandbox.stop();
      await server.close();
    },
  };
}

/**
 * A fresh store of `backend` and a stack over it for the enclosing `describe`: started before its
 * tests, closed after them. Read `.store` and `.stack` inside tests and hooks (not while the
 * suite is being declared: they exist only once its `before` ran).
 */
export function stackPerSuite(backend: Backend, overrides: Partial<Record<keyof Config, string>> = {}): { store: TestStore; stack: Stack } {
  const suite = {} as { store: TestStore; stack: Stack };
  before(async () => {
    suite.store = await backend.create();
    suite.stack = await startStack(suite.store, overrides);
  });
  after(async () => {
    await suite.stack?.close();
    await suite.store?.dispose();
  });
  return suite;
}

export { eventually } from './wait.ts';
