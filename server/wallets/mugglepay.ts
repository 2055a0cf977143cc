/**
 * MugglePay API client (contracts §5): create and read orders, refund, and check the callback's
 * `token`. Each order's token is an HMAC of its id under a configured secret, so the broker
 * stores no per-order secret and a leaked token opens only its own order.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  fetchWithTimeout,
  WalletApiError,
  WalletUnavailableError,
  WebhookRejectedError,
  type WalletAdapter,
  type WalletEvent,
  type WalletOrder,
  type WalletOrderRequest,
  type WalletPaymentStatus,
  type WalletRefundRequest,
} from './types.ts';
import { DECIMAL_PLACEHOLDER, jsonWithDecimals } from './json-decimals.ts';

export interface MugglePayOptions {
  baseUrl: string;
  apiKey: string;
  callbackSecret: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const STATE_BY_STATUS: Record<string, WalletPaymentStatus['state']> = {
  NEW: 'pending',
  PENDING: 'pending',
  UNRESOLVED: 'pending',
  PAID: 'paid',
  RESOLVED: 'paid',
  EXPIRED: 'closed',
  CANCELED: 'closed',
  REFUND_PENDING: 'refunded',
  REFUNDED: 'refunded',
};

interface MugglePayOrder {
  order_id?: string;
  merchant_order_id?: string;
  status?: string;
}

/** The callback token MugglePay will echo for this order. */
export function mugglePayCallbackToken(secret: string, traceId: string): string {
  return createHmac('sha256', secret).update(`mugglepay-callback:${traceId}`).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class MugglePayClient implements WalletAdapter {
  readonly kind = 'mugglepay' as const;
  /** Undefined: node:http (wallets/http-post.ts). */
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: MugglePayOptions) {
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: string): Promise<T> {
    const init: RequestInit = { method, headers: { token: this.options.apiKey, 'content-type': 'application/json' } };
    if (body !== undefined) init.body = body;
    const { status, text } = await fetchWithTimeout('mugglepay', this.fetchImpl, `${this.options.baseUrl}${path}`, init, this.timeoutMs);
    let parsed: T & { status?: number; error_code?: string; error?: string };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WalletUnavailableError('mugglepay', `mugglepay answered HTTP ${status} without JSON`);
    }
    if (status >= 500) throw new WalletUnavailableError('mugglepay', `mugglepay answered HTTP ${status}`);
    // The status in the body is MugglePay's own (201 for a created order, under HTTP 200).
    if (parsed.error_code || (typeof parsed.status === 'number' && parsed.status >= 400)) {
      throw new WalletApiError('mugglepay', parsed.error_code ?? String(parsed.status), parsed.error ?? 'failed');
    }
    return parsed;
  }

  async createOrder(request: WalletOrderRequest): Promise<WalletOrder> {
    // MugglePay documents price_amount as a number: written from the exact decimal text.
    const body = jsonWithDecimals(
      {
        merchant_order_id: request.traceId,
        price_amount: DECIMAL_PLACEHOLDER,
        price_currency: request.currency,
        title: request.title,
        callback_url: request.webhookUrl,
        cancel_url: request.returnUrl,
        success_url: request.returnUrl,
        token: mugglePayCallbackToken(this.options.callbackSecret, request.traceId),
      },
      { price_amount: request.amount },
    );
    const answer = await this.call<{ order?: MugglePayOrder; payment_url?: string }>('POST', '/orders', body);
    if (!answer.order?.order_id || !answer.payment_url) throw new WalletUnavailableError('mugglepay', 'mugglepay order answer lacks order_id or payment_url');
    return { upstreamId: answer.order.order_id, checkoutUrl: answer.payment_url, deepLink: '', universalUrl: '' };
  }

  async queryOrder(upstreamId: string): Promise<WalletPaymentStatus> {
    const answer = await this.call<{ order?: MugglePayOrder }>('GET', `/orders/${encodeURIComponent(upstreamId)}`);
    const state = STATE_BY_STATUS[answer.order?.status ?? ''];
    if (!state) throw new WalletUnavailableError('mugglepay', `mugglepay order status ${JSON.stringify(answer.order?.status)} is unknown`);
    return { state };
  }

  async refund(request: WalletRefundRequest): Promise<void> {
    try {
      await this.call('POST', `/orders/${encodeURIComponent(request.upstreamId)}/refund`, '{}');
    } catch (error) {
      // Refund works only on PAID orders: a retry after an accepted refund finds it refunding.
      if (error instanceof WalletApiError && (await this.queryOrder(request.upstreamId)).state === 'refunded') return;
      throw error;
    }
  }

  /** MugglePay orders take no expiry from the broker: an expired one is cancelled (NEW only). */
  async close(upstreamId: string): Promise<WalletPaymentStatus['state']> {
    try {
      await this.call('POST', `/orders/${encodeURIComponent(upstreamId)}/cancel`, '{}');
      return 'closed';
    } catch (error) {
      // Not NEW any more: paid meanwhile, or already cancelled or expired. The order says which.
      if (error instanceof WalletApiError) return (await this.queryOrder(upstreamId)).state;
      throw error;
    }
  }

  async verifyWebhook(_headers: Headers, rawBody: string): Promise<WalletEvent> {
    let body: { merchant_order_id?: unknown; order_id?: unknown; status?: unknown; token?: unknown };
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new WebhookRejectedError('callback body is not JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new WebhookRejectedError('callback body is not a JSON object');
    if (typeof body.merchant_order_id !== 'string' || typeof body.token !== 'string' || typeof body.order_id !== 'string') {
      throw new WebhookRejectedError('callback lacks merchant_order_id, order_id or token');
    }
    if (!sameSecret(body.token, mugglePayCallbackToken(this.options.callbackSecret, body.merchant_order_id))) {
      throw new WebhookRejectedError('callback token does not match the order');
    }
    const state = STATE_BY_STATUS[String(body.status)] ?? 'pending';
    return { traceId: body.merchant_order_id, upstreamId: body.order_id, state };
  }

  webhookAck(): unknown {
    return { status: 200 };
  }
}
