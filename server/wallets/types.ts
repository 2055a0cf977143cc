/**
 * One interface for every upstream wallet the broker sells on MixPay's checkout page. Each
 * adapter is the only module that speaks its wallet's API (contracts §4, §5).
 */
import { UpstreamRejectedError, UpstreamUnavailableError } from '../core/upstream-errors.ts';
import { httpCall, plainHeaders } from './http-post.ts';

export interface WalletOrderRequest {
  /** The broker's id for the order (MixPay's trace_id); wallets that limit ids get a derived form. */
  traceId: string;
  /** What the customer pays, amount + fee, as a decimal string. */
  amount: string;
  /** The wallet's currency code, e.g. "USDT". */
  currency: string;
  title: string;
  /** Where the wallet sends the customer after paying or cancelling. */
  returnUrl: string;
  /** Where the wallet posts payment notifications. */
  webhookUrl: string;
  /** Milliseconds; the wallet stops accepting payment after this. */
  expiresAt: number;
}

export interface WalletOrder {
  /** The wallet's own order id (Binance prepayId, MugglePay order_id). */
  upstreamId: string;
  checkoutUrl: string;
  /** Empty when the wallet has no deep link. */
  deepLink: string;
  /** Empty when the wallet has no universal link. */
  universalUrl: string;
}

export type WalletPaymentState = 'pending' | 'paid' | 'closed' | 'refunded';

export interface WalletPaymentStatus {
  state: WalletPaymentState;
  /** When the wallet says the customer paid (ms), if it says. */
  paidAt?: number;
}

/** A verified notification from the wallet. */
export interface WalletEvent {
  /** The broker's trace id the wallet echoes back. */
  traceId: string;
  upstreamId: string;
  state: WalletPaymentState;
  paidAt?: number;
}

export interface WalletRefundRequest {
  traceId: string;
  upstreamId: string;
  amount: string;
  /** A stable id so a retried refund is not paid twice. */
  refundRequestId: string;
  reason: string;
}

export interface WalletAdapter {
  /** The wallet's kind, as its entry in registry.ts names it. */
  readonly kind: string;
  createOrder(request: WalletOrderRequest): Promise<WalletOrder>;
  queryOrder(upstreamId: string, traceId: string): Promise<WalletPaymentStatus>;
  /** Refunds in full; resolves when the wallet accepted or had already accepted the refund. */
  refund(request: WalletRefundRequest): Promise<void>;
  /**
   * Stops an unpaid order from being paid (the broker's expired_at passed); resolves with the
   * order's state afterwards: 'closed', or 'paid' when the customer paid first.
   */
  close(upstreamId: string, traceId: string): Promise<WalletPaymentState>;
  /** Checks the notification's signature or token over the raw body; throws WebhookRejectedError. */
  verifyWebhook(headers: Headers, rawBody: string): Promise<WalletEvent>;
  /** The body the wallet expects once a notification has been handled. */
  webhookAck(): unknown;
}

/** The wallet answered with an error of its own (its code and message). */
export class WalletApiError extends UpstreamRejectedError {
  override name = 'WalletApiError';
  declare readonly code: string;
  constructor(
    readonly wallet: string,
    code: string,
    message: string,
  ) {
    super(wallet, code, `${wallet} error ${code}: ${message}`);
  }
}

/** The wallet could not be reached or answered something that is not its envelope. */
export class WalletUnavailableError extends UpstreamUnavailableError {
  override name = 'WalletUnavailableError';
  constructor(
    readonly wallet: string,
    message: string,
  ) {
    super(wallet, message);
  }
}

/** A webhook whose signature, token or timestamp did not check out. */
export class WebhookRejectedError extends Error {
  override name = 'WebhookRejectedError';
}

/**
 * fetch with a time limit; network failures become WalletUnavailableError. Without an injected
 * fetch (tests inject one) the call goes through node:http (http-post.ts), which costs less.
 */
export async function fetchWithTimeout(
  wallet: string,
  fetchImpl: typeof fetch | undefined,
  url: string,
  init: RequestInit,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  try {
    if (!fetchImpl) {
      const { method = 'GET', headers = {}, body } = init;
      if (typeof body !== 'string' && body !== undefined) throw new Error('a wallet call without fetch sends a text body');
      return await httpCall(url, { method, headers: plainHeaders(headers), ...(body === undefined ? {} : { body }) }, timeoutMs);
    }
    const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    throw new WalletUnavailableError(wallet, `${wallet} unreachable at ${url}: ${(error as Error).message}`);
  }
}
