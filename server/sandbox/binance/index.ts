/**
 * A stand-in for the Binance Pay merchant API (contracts §4): signed requests verified
 * (signature.ts), orders created with create v3, queried and refunded (api.ts, book.ts); a hosted
 * pay page (pay-page.ts); webhooks signed with the sandbox's RSA key, whose public half is served
 * by `/binancepay/openapi/certificates` (webhook.ts).
 */
import { Hono } from 'hono';
import { binanceApi } from './api.ts';
import { BinanceBook } from './book.ts';
import type { BinanceSandboxOrder } from './order.ts';
import { binancePayPage } from './pay-page.ts';
import type { BinanceMerchant } from './signature.ts';
import { WebhookSender } from './webhook.ts';

export type { BinanceSandboxOrder } from './order.ts';
export type { BinanceMerchant } from './signature.ts';

export interface BinanceSandboxOptions {
  merchants?: BinanceMerchant[];
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** Delay between webhook attempts (Binance retries up to 6 times after the first). */
  webhookRetryMs?: number;
  /** How long a refund reports REFUNDING before it completes; 0 (the default) completes it at once. */
  refundingMs?: number;
}

export interface BinanceSandbox {
  app: Hono;
  orders: Map<string, BinanceSandboxOrder>;
  /** Pays an order as the customer would on the hosted page. */
  pay(prepayId: string): Promise<BinanceSandboxOrder>;
  stop(): void;
}

export function createBinanceSandbox(options: BinanceSandboxOptions = {}): BinanceSandbox {
  const now = options.now ?? Date.now;
  const merchants = new Map((options.merchants ?? [{ apiKey: 'dev-binance-api-key', secretKey: 'dev-binance-secret-key' }]).map((m) => [m.apiKey, m]));
  const webhooks = new WebhookSender({ fetch: options.fetch ?? fetch, now, log: options.log ?? (() => {}), retryMs: options.webhookRetryMs ?? 5000 });
  const book = new BinanceBook(webhooks, now, options.refundingMs ?? 0);
  const app = new Hono().route('/binancepay/openapi', binanceApi({ book, merchants, certPublic: () => webhooks.certPublic, now })).route('/', binancePayPage(book));
  return {
    app,
    orders: book.orders,
    pay: async (prepayId) => {
      const order = book.find(prepayId);
      if (!order) throw new Error(`no order ${prepayId}`);
      book.pay(order);
      return order;
    },
    stop: () => webhooks.stop(),
  };
}
