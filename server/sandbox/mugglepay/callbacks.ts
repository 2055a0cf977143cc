/**
 * MugglePay's callbacks to `callback_url` (contracts §5): the order's state with its amounts as
 * JSON numbers and the merchant's `token` echoed, sent again with doubling back-off from one
 * minute until answered `{"status": 200}`, for up to 3 days.
 */
import type { MugglePaySandboxOrder } from './order.ts';

/** First retry delay; each next one doubles (contracts §5). */
export const FIRST_RETRY_MS = 60_000;
/** No retry is scheduled later than this after the first attempt (contracts §5: "up to 3 days"). */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600_000;

/**
 * Delay before retry `retry` (1 = the first retry), or null once it would land more than 3 days
 * after the first attempt: 1, 2, 4, ... 2048 minutes, 12 retries in all at the real scale.
 */
export function callbackRetryDelay(retry: number, firstRetryMs = FIRST_RETRY_MS): number | null {
  // The first `retry` retries together wait (2^retry - 1) first delays; measured at the real scale.
  if (2 ** retry - 1 > GIVE_UP_AFTER_MS / FIRST_RETRY_MS) return null;
  return firstRetryMs * 2 ** (retry - 1);
}

/** The callback body: amounts as JSON numbers written from their exact decimal text. */
export function callbackBody(order: MugglePaySandboxOrder): string {
  const text = JSON.stringify({
    merchant_order_id: order.merchant_order_id, order_id: order.order_id, status: order.status, price_amount: '__PRICE__', price_currency: order.price_currency,
    pay_amount: '__PAY__', pay_currency: order.pay_currency, created_at: order.created_at, created_at_t: order.created_ms, token: order.token, meta: {},
  });
  return text.replace('"__PRICE__"', order.price_amount).replace('"__PAY__"', order.pay_amount);
}

export interface CallbackSenderOptions {
  fetch: typeof fetch;
  now: () => number;
  log: (line: string) => void;
  /** The first retry delay; the schedule keeps its shape (doubling, 3 days at 1 minute) at any scale. */
  firstRetryMs: number;
}

export class CallbackSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: CallbackSenderOptions) {}

  send(order: MugglePaySandboxOrder, retry = 0): void {
    if (this.stopped || !order.callback_url) return;
    const { now, log } = this.options;
    const body = callbackBody(order);
    void (async () => {
      let status: number | 'error' = 'error';
      try {
        const response = await this.options.fetch(order.callback_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5000) });
        status = response.status;
        const reply = (await response.json().catch(() => ({}))) as { status?: number };
        order.callbacks.push({ status, at: now() });
        if (response.ok && reply.status === 200) return;
      } catch (error) {
        order.callbacks.push({ status, at: now() });
        log(`[mugglepay sandbox] callback to ${order.callback_url} failed: ${(error as Error).message}`);
      }
      const delay = callbackRetryDelay(retry + 1, this.options.firstRetryMs);
      if (delay === null || this.stopped) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.send(order, retry + 1);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    })();
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
