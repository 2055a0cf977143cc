/**
 * Binance Pay merchant API client (contracts §4): signed requests, create order v3, query,
 * refund, and webhook verification with the RSA key served by `/certificates`.
 */
import { createHmac, createPublicKey, createVerify, randomBytes, type KeyObject } from 'node:crypto';
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

export interface BinancePayOptions {
  baseUrl: string;
  apiKey: string;
  secretKey: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  now?: () => number;
  /** How far a webhook's timestamp may be from now. */
  webhookToleranceMs?: number;
}

/**
 * The certificate list is fetched again at most this often. A webhook with an unknown serial or a
 * bad signature asks for a fresh list (Binance may have rotated its key), and anyone can send one.
 */
export const CERTIFICATE_REFRESH_MS = 60_000;

/** Binance caps orderExpireTime at one hour ahead (contracts §4). */
export const MAX_ORDER_LIFETIME_MS = 3600_000;

const NONCE_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Random bytes for this many nonces at once: one call into the system's generator per 128 calls, not one per call. */
const NONCE_POOL = 128 * 32;
let noncePool = Buffer.alloc(0);
let nonceAt = NONCE_POOL;

/** 32 random letters, as `BinancePay-Nonce` requires. */
export function binanceNonce(): string {
  if (nonceAt === NONCE_POOL) {
    noncePool = randomBytes(NONCE_POOL);
    nonceAt = 0;
  }
  let nonce = '';
  for (const end = nonceAt + 32; nonceAt < end; nonceAt++) nonce += NONCE_LETTERS[noncePool[nonceAt]! % NONCE_LETTERS.length];
  return nonce;
}

/** Uppercase hex HMAC-SHA512 over `timestamp\nnonce\nbody\n`. */
export function signBinanceRequest(secretKey: string, timestamp: string, nonce: string, body: string): string {
  return createHmac('sha512', secretKey).update(`${timestamp}\n${nonce}\n${body}\n`).digest('hex').toUpperCase();
}

/** merchantTradeNo allows 32 alphanumerics: the trace id without its dashes. */
export function merchantTradeNo(traceId: string): string {
  return traceId.replace(/-/g, '').toLowerCase();
}

/** Back from merchantTradeNo to the dashed trace id. */
export function traceIdFromTradeNo(tradeNo: string): string | null {
  if (!/^[0-9a-f]{32}$/i.test(tradeNo)) return null;
  const h = tradeNo.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const STATE_BY_STATUS: Record<string, WalletPaymentStatus['state']> = {
  INITIAL: 'pending',
  PENDING: 'pending',
  PAID: 'paid',
  CANCELED: 'closed',
  ERROR: 'closed',
  EXPIRED: 'closed',
  REFUNDING: 'refunded',
  REFUNDED: 'refunded',
  FULL_REFUNDED: 'refunded',
};

export class BinancePayClient implements WalletAdapter {
  readonly kind = 'binance' as const;
  /** Undefined: node:http (wallets/http-post.ts). */
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private certificates = new Map<string, KeyObject>();
  private certificatesFetchedAt: number | undefined;

  constructor(private readonly options: BinancePayOptions) {
    this.fetchImpl = options.fetch;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  private async call<T>(path: string, body: string): Promise<T> {
    const timestamp = String(this.now());
    const nonce = binanceNonce();
    const { status, text } = await fetchWithTimeout(
      'binance',
      this.fetchImpl,
      `${this.options.baseUrl}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'BinancePay-Timestamp': timestamp,
          'BinancePay-Nonce': nonce,
          'BinancePay-Certificate-SN': this.options.apiKey,
          'BinancePay-Signature': signBinanceRequest(this.options.secretKey, timestamp, nonce, body),
        },
        body,
      },
      this.timeoutMs,
    );
    let parsed: { status?: string; code?: string; data?: T; errorMessage?: string };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new WalletUnavailableError('binance', `binance answered HTTP ${status} without JSON`);
    }
    if (parsed.status !== 'SUCCESS') {
      if (!parsed.code) throw new WalletUnavailableError('binance', `binance answered HTTP ${status} outside its envelope`);
      throw new WalletApiError('binance', parsed.code, parsed.errorMessage ?? 'failed');
    }
    return parsed.data as T;
  }

  async createOrder(request: WalletOrderRequest): Promise<WalletOrder> {
    const body = jsonWithDecimals(
      {
        env: { terminalType: 'WEB' },
        merchantTradeNo: merchantTradeNo(request.traceId),
        orderAmount: DECIMAL_PLACEHOLDER,
        currency: request.currency,
        // create v3's `goods` (contracts §4): virtual goods (02), category Z000 "others".
        goods: { goodsType: '02', goodsCategory: 'Z000', referenceGoodsId: request.traceId, goodsName: request.title },
        returnUrl: request.returnUrl,
        cancelUrl: request.returnUrl,
        orderExpireTime: Math.min(request.expiresAt, this.now() + MAX_ORDER_LIFETIME_MS),
        webhookUrl: request.webhookUrl,
      },
      { orderAmount: request.amount },
    );
    const data = await this.call<{ prepayId?: string; checkoutUrl?: string; deeplink?: string; universalUrl?: string }>(
      '/binancepay/openapi/v3/order',
      body,
    );
    if (!data?.prepayId || !data.checkoutUrl) throw new WalletUnavailableError('binance', 'binance order answer lacks prepayId or checkoutUrl');
    return { upstreamId: data.prepayId, checkoutUrl: data.checkoutUrl, deepLink: data.deeplink ?? '', universalUrl: data.universalUrl ?? '' };
  }

  async queryOrder(upstreamId: string): Promise<WalletPaymentStatus> {
    const data = await this.call<{ status?: string; transactTime?: number }>(
      '/binancepay/openapi/v2/order/query',
      JSON.stringify({ prepayId: upstreamId }),
    );
    const state = STATE_BY_STATUS[data?.status ?? ''];
    if (!state) throw new WalletUnavailableError('binance', `binance order status ${JSON.stringify(data?.status)} is unknown`);
    return typeof data.transactTime === 'number' ? { state, paidAt: data.transactTime } : { state };
  }

  async refund(request: WalletRefundRequest): Promise<void> {
    // Path and fields unconfirmed (contracts §4); refundRequestId makes a retry harmless.
    const body = jsonWithDecimals(
      { refundRequestId: request.refundRequestId, prepayId: request.upstreamId, refundAmount: DECIMAL_PLACEHOLDER, refundReason: request.reason },
      { refundAmount: request.amount },
    );
    await this.call('/binancepay/openapi/v3/order/refund', body);
  }

  /**
   * Binance closes the order itself at orderExpireTime, which createOrder never sets after the
   * broker's expired_at: nothing to cancel, only the state to report.
   */
  async close(upstreamId: string): Promise<WalletPaymentStatus['state']> {
    return (await this.queryOrder(upstreamId)).state;
  }

  private async certificate(serial: string, refresh: boolean): Promise<KeyObject | undefined> {
    if (!refresh && this.certificates.has(serial)) return this.certificates.get(serial);
    const fresh = this.certificatesFetchedAt !== undefined && this.now() - this.certificatesFetchedAt < CERTIFICATE_REFRESH_MS;
    if (fresh) return this.certificates.get(serial);
    this.certificatesFetchedAt = this.now();
    const list = await this.call<Array<{ certSerial: string; certPublic: string }>>('/binancepay/openapi/certificates', '{}');
    this.certificates = new Map((list ?? []).map((c) => [c.certSerial, createPublicKey(c.certPublic)]));
    return this.certificates.get(serial);
  }

  async verifyWebhook(headers: Headers, rawBody: string): Promise<WalletEvent> {
    const timestamp = headers.get('BinancePay-Timestamp');
    const nonce = headers.get('BinancePay-Nonce');
    const signature = headers.get('BinancePay-Signature');
    const serial = headers.get('BinancePay-Certificate-SN');
    if (!timestamp || !nonce || !signature || !serial) {
      throw new WebhookRejectedError('missing BinancePay-Timestamp, -Nonce, -Signature or -Certificate-SN header');
    }
    const tolerance = this.options.webhookToleranceMs ?? 5 * 60_000;
    if (!/^\d+$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) > tolerance) {
      throw new WebhookRejectedError('BinancePay-Timestamp is outside the allowed window');
    }
    const payload = `${timestamp}\n${nonce}\n${rawBody}\n`;
    const check = (key: KeyObject) => createVerify('RSA-SHA256').update(payload).verify(key, signature, 'base64');
    let key = await this.certificate(serial, false);
    // A rotated certificate: fetch the list again once before refusing.
    if (!key || !check(key)) {
      key = await this.certificate(serial, true);
      if (!key || !check(key)) throw new WebhookRejectedError('BinancePay-Signature does not verify with the certificate');
    }
    let body: { bizType?: string; bizIdStr?: string; bizId?: unknown; bizStatus?: string; data?: string };
    let data: { merchantTradeNo?: string; transactTime?: number };
    try {
      body = JSON.parse(rawBody);
      data = JSON.parse(body.data ?? '{}');
    } catch {
      throw new WebhookRejectedError('webhook body or its data field is not JSON');
    }
    const traceId = traceIdFromTradeNo(data.merchantTradeNo ?? '');
    if (body.bizType !== 'PAY' || !traceId) throw new WebhookRejectedError('not a PAY notification for a broker order');
    // bizId overflows a JS number; only its string twin is exact.
    const upstreamId = body.bizIdStr ?? '';
    const state = body.bizStatus === 'PAY_SUCCESS' ? 'paid' : body.bizStatus === 'PAY_CLOSED' ? 'closed' : 'pending';
    return typeof data.transactTime === 'number' ? { traceId, upstreamId, state, paidAt: data.transactTime } : { traceId, upstreamId, state };
  }

  webhookAck(): unknown {
    return { returnCode: 'SUCCESS', returnMessage: null };
  }
}
