/**
 * What the benchmarks run against, each as its own process configured only through environment
 * variables and reached only over HTTP on 127.0.0.1:
 *
 * - the ceiling: bench/lib/bare-hono.mjs;
 * - "MixPay": a companion server whose only job is its built-in sandbox (MixPay, Mixin and the
 *   wallets), shared by every server under test, so their CPU and memory are not the sandbox's;
 * - the companion server under test (`server/main.ts serve`), sandbox off, pointed at "MixPay".
 */
import { join } from 'node:path';
import { freePort } from '../../test/support/ports.ts';
import { startChild, type Child } from './processes.ts';

export const MERCHANT_API_KEY = 'bench-merchant-key-0123456789abcdef';
export const PAYEE_ID = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';
/** USDT (ERC-20) on Mixin, the broker sandbox's main asset. */
export const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';

const TSX = ['--import', 'tsx'];

async function loopback(): Promise<{ port: number; url: string }> {
  const port = await freePort();
  return { port, url: `http://127.0.0.1:${port}` };
}

/** The ceiling app on a free port. */
export async function startBareHono(): Promise<Child> {
  const { port, url } = await loopback();
  return startChild({ name: 'bare hono', command: process.execPath, args: ['bench/lib/bare-hono.mjs'], env: { PORT: String(port) }, url });
}

export interface MixPayStandIn {
  child: Child;
  url: string;
  apiBase: string;
  payBase: string;
  /** Plays the customer on the hosted pay page: MixPay then calls the order's callback. */
  simulate(code: string, outcome?: string): Promise<void>;
  /** Tops up the broker sandbox's bot on Mixin. */
  deposit(assetId: string, amount: string): Promise<void>;
}

/** A companion server that only serves its sandbox: the bench's MixPay, Mixin and wallets. */
export async function startMixPay(dir: string): Promise<MixPayStandIn> {
  const { port, url } = await loopback();
  const child = await startChild({
    name: 'mixpay sandbox',
    command: process.execPath,
    args: [...TSX, 'server/main.ts', 'serve'],
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: `sqlite:${join(dir, 'mixpay-sandbox.db')}`,
      MERCHANT_API_KEY,
      MIXPAY_PAYEE_ID: PAYEE_ID,
      MIXPAY_SANDBOX: '1',
      MIXPAY_API_BASE: `${url}/sandbox/mixpay/v1`,
      MIXPAY_PAY_BASE: `${url}/sandbox/mixpay`,
      RUN_WORKERS: '0',
    },
    url,
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`POST ${path}: ${response.status} ${text}`);
  };
  return {
    child,
    url,
    apiBase: `${url}/sandbox/mixpay/v1`,
    payBase: `${url}/sandbox/mixpay`,
    simulate: (code, outcome = 'success') => post(`/sandbox/mixpay/payments/${encodeURIComponent(code)}/simulate`, { outcome }),
    deposit: (assetId, amount) => post('/sandbox/mixin/_sandbox/deposit', { asset_id: assetId, amount }),
  };
}

export interface CreatedOrder {
  id: string;
  /** The sandbox's one-time link code, for `simulate`. */
  code: string;
}

export interface Companion {
  child: Child;
  url: string;
  createOrder(): Promise<CreatedOrder>;
  cancel(id: string): Promise<void>;
  stop(): Promise<void>;
}

export interface CompanionOptions {
  name: string;
  databaseUrl: string;
  mixpay: MixPayStandIn;
  /** More settings (RUN_WORKERS, BROKER_CONFIG_FILE, ...). */
  env?: Record<string, string>;
  /** The command: `server/main.ts serve` (default) or the installed bin. */
  args?: string[];
}

/** The companion server under test, on a free port, with its sandbox off. */
export async function startCompanion(options: CompanionOptions): Promise<Companion> {
  const { port, url } = await loopback();
  const child = await startChild({
    name: options.name,
    command: process.execPath,
    // BENCH_CPU_PROF=<dir>: each server under test writes a V8 CPU profile there when it stops.
    args: [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : []), ...(options.args ?? [...TSX, 'server/main.ts', 'serve'])],
    env: {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      DATABASE_URL: options.databaseUrl,
      MERCHANT_API_KEY,
      MIXPAY_PAYEE_ID: PAYEE_ID,
      MIXPAY_API_BASE: options.mixpay.apiBase,
      MIXPAY_PAY_BASE: options.mixpay.payBase,
      MIXPAY_SANDBOX: '0',
      // The bench's "MixPay" calls back from this host, as MixPay does from its own address: known
      // as MixPay's, its callbacks are not capped like a stranger's (MIXPAY_CALLBACK_CHECKS_PER_SOURCE).
      MIXPAY_CALLBACK_IPS: '127.0.0.1',
      SERVE_DEMO: '0',
      ...options.env,
    },
    url,
  });
  const headers = { token: MERCHANT_API_KEY, 'content-type': 'application/json' };
  return {
    child,
    url,
    async createOrder() {
      const response = await fetch(`${url}/v1/orders`, { method: 'POST', headers, body: JSON.stringify({ price_amount: '12.50', price_currency: 'USD', title: 'bench' }) });
      const body = (await response.json()) as { order?: { order_id: string }; payment_url?: string };
      // MugglePay's create answer: HTTP 200 with "status": 201 in the body.
      if (response.status !== 200 || !body.order || !body.payment_url) throw new Error(`POST /v1/orders: ${response.status} ${JSON.stringify(body)}`);
      return { id: body.order.order_id, code: body.payment_url.split('/').pop()! };
    },
    async cancel(id) {
      const response = await fetch(`${url}/v1/orders/${id}/cancel`, { method: 'POST', headers });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`cancel ${id}: ${response.status} ${text}`);
    },
    stop: () => child.stop(),
  };
}
