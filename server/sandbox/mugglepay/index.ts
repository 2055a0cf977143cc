/**
 * A stand-in for the MugglePay API (contracts §5) as an upstream wallet: orders created with the
 * `token` header, read, cancelled and refunded (api.ts, book.ts); a hosted invoice page
 * (invoice-page.ts); callbacks that echo the order's `token`, retried with doubling back-off for up
 * to 3 days until answered `{"status":200}` (callbacks.ts).
 */
import { Hono } from 'hono';
import { mugglePayApi } from './api.ts';
import { MugglePayBook } from './book.ts';
import { CallbackSender, FIRST_RETRY_MS } from './callbacks.ts';
import { mugglePayInvoicePage } from './invoice-page.ts';
import type { MugglePaySandboxOrder } from './order.ts';

export type { MugglePaySandboxOrder } from './order.ts';

export interface MugglePaySandboxOptions {
  apiKeys?: string[];
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** First callback retry delay (MugglePay: 1 minute, doubling, for up to 3 days). */
  callbackRetryMs?: number;
}

export interface MugglePaySandbox {
  app: Hono;
  orders: Map<string, MugglePaySandboxOrder>;
  pay(orderId: string): MugglePaySandboxOrder;
  stop(): void;
}

export function createMugglePaySandbox(options: MugglePaySandboxOptions = {}): MugglePaySandbox {
  const now = options.now ?? Date.now;
  const callbacks = new CallbackSender({ fetch: options.fetch ?? fetch, now, log: options.log ?? (() => {}), firstRetryMs: options.callbackRetryMs ?? FIRST_RETRY_MS });
  const book = new MugglePayBook(callbacks, now);
  const app = new Hono().route('/v1', mugglePayApi(book, new Set(options.apiKeys ?? ['dev-mugglepay-api-key']))).route('/', mugglePayInvoicePage(book));
  return {
    app,
    orders: book.orders,
    pay: (orderId) => {
      const order = book.orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId}`);
      book.pay(order);
      return order;
    },
    stop: () => callbacks.stop(),
  };
}
