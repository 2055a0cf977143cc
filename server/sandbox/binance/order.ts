/** One Binance Pay order as the sandbox remembers it, and the create v3 request it came from (contracts §4). */
import Big from 'big.js';

/** Every status `order/query` can report (contracts §4). */
export const ORDER_STATUSES = ['INITIAL', 'PENDING', 'PAID', 'CANCELED', 'ERROR', 'REFUNDING', 'REFUNDED', 'FULL_REFUNDED', 'EXPIRED'] as const;
export type BinanceOrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses a control call may force, for states the pay page does not reach by itself. */
export const FORCEABLE_STATUSES = ['PENDING', 'ERROR', 'REFUNDING'] as const satisfies readonly BinanceOrderStatus[];

export interface BinanceSandboxOrder {
  prepayId: string;
  merchant: string;
  merchantTradeNo: string;
  orderAmount: string;
  currency: string;
  goods: BinanceGoods;
  status: BinanceOrderStatus;
  returnUrl: string;
  cancelUrl: string;
  webhookUrl: string;
  expireTime: number;
  transactTime?: number;
  refunds: Array<{ refundRequestId: string; refundAmount: string }>;
  /** While REFUNDING: when the refund completes (ms). */
  refundedAt?: number;
  webhooks: Array<{ bizStatus: 'PAY_SUCCESS' | 'PAY_CLOSED'; status: number | 'error'; at: number }>;
}

export interface BinanceGoods {
  goodsType: string;
  goodsCategory: string;
  referenceGoodsId: string;
  goodsName: string;
}

export interface CreateOrderRequest {
  merchantTradeNo: string;
  orderAmount: string;
  currency: string;
  terminalType: string;
  goods: BinanceGoods;
  returnUrl: string;
  cancelUrl: string;
  webhookUrl: string;
  expireTime: number;
}

export const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;
const TERMINAL_TYPES = ['APP', 'WEB', 'WAP', 'MINI_PROGRAM', 'OTHERS'];
/** Binance caps orderExpireTime at one hour ahead; a minute of slack for clocks. */
const MAX_LIFETIME_MS = 3600_000 + 60_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

const refuse = (code: string, message: string): Parsed<never> => ({ ok: false, code, message });
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * Checks a create v3 body. `orderAmount` is read from the raw text when it is a JSON number, so
 * that "10.10000001" is not rounded through a float on the way in.
 */
export function parseCreateOrder(rawBody: string, nowMs: number): Parsed<CreateOrderRequest> {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return refuse('400000', 'The request body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return refuse('400000', 'The request body is not a JSON object');
  const request = body as Record<string, unknown>;
  const amountText = typeof request.orderAmount === 'number' ? rawBody.match(/"orderAmount":([0-9.]+)/)?.[1] : request.orderAmount;
  if (typeof request.merchantTradeNo !== 'string' || !/^[A-Za-z0-9]{1,32}$/.test(request.merchantTradeNo)) return refuse('400201', 'merchantTradeNo is invalid or duplicated');
  if (typeof amountText !== 'string' || !AMOUNT.test(amountText) || new Big(amountText).lte(0)) return refuse('400000', 'orderAmount is invalid');
  if (typeof request.currency !== 'string' || !request.currency) return refuse('400000', 'currency is required');
  const env = request.env as { terminalType?: unknown } | undefined;
  const terminalType = text(env?.terminalType);
  if (!TERMINAL_TYPES.includes(terminalType)) return refuse('400000', 'env.terminalType is invalid');
  const goods = parseGoods(request.goods);
  if (!goods) return refuse('400000', 'goods is required, with goodsType, goodsCategory, referenceGoodsId and goodsName');
  const expireTime = typeof request.orderExpireTime === 'number' ? request.orderExpireTime : nowMs + 3600_000;
  if (expireTime > nowMs + MAX_LIFETIME_MS) return refuse('400000', 'orderExpireTime must be within one hour');
  return {
    ok: true,
    value: {
      merchantTradeNo: request.merchantTradeNo, orderAmount: new Big(amountText).toFixed(), currency: request.currency, terminalType, goods,
      returnUrl: text(request.returnUrl), cancelUrl: text(request.cancelUrl), webhookUrl: text(request.webhookUrl), expireTime,
    },
  };
}

/** create v3's `goods` object: every field is required by Binance (goodsType 01 tangible, 02 virtual). */
function parseGoods(value: unknown): BinanceGoods | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const goods = value as Record<string, unknown>;
  const fields = { goodsType: text(goods.goodsType), goodsCategory: text(goods.goodsCategory), referenceGoodsId: text(goods.referenceGoodsId), goodsName: text(goods.goodsName) };
  if (!['01', '02'].includes(fields.goodsType) || !fields.goodsCategory || !fields.referenceGoodsId || !fields.goodsName) return null;
  return fields;
}

/** The refund request's fields, each absent when missing; `refundAmount` read from the raw text for the same reason. */
export function parseRefund(rawBody: string): { refundRequestId?: string; prepayId?: string; refundAmount?: string } {
  let body: { refundRequestId?: unknown; prepayId?: unknown } = {};
  try {
    body = (JSON.parse(rawBody || '{}') as typeof body) ?? {};
  } catch {
    // Fields stay absent: the caller answers as for a request without them.
  }
  const refundAmount = rawBody.match(/"refundAmount":"?([0-9.]+)/)?.[1];
  return {
    refundRequestId: typeof body.refundRequestId === 'string' && body.refundRequestId ? body.refundRequestId : undefined,
    prepayId: typeof body.prepayId === 'string' ? body.prepayId : undefined,
    refundAmount: refundAmount && AMOUNT.test(refundAmount) ? refundAmount : undefined,
  };
}
