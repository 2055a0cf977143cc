/**
 * The sandbox Binance Pay's orders, and the single place that changes them: each change that
 * Binance notifies (paid; closed by the customer or by expiry) sends its webhook.
 */
import Big from 'big.js';
import type { BinanceMerchant } from './signature.ts';
import type { BinanceOrderStatus, BinanceSandboxOrder, CreateOrderRequest } from './order.ts';
import type { WebhookSender } from './webhook.ts';

export type RefundOutcome = { ok: true; duplicate: boolean } | { ok: false; code: string; message: string };

export class BinanceBook {
  readonly orders = new Map<string, BinanceSandboxOrder>();
  private readonly byTradeNo = new Map<string, string>();

  constructor(
    private readonly webhooks: WebhookSender,
    private readonly now: () => number,
    /** How long a refund stays REFUNDING before it completes; 0 completes it at once. */
    private readonly refundingMs: number,
  ) {}

  /** The order a merchant created with this merchantTradeNo, if any. */
  byMerchantTradeNo(merchant: string, tradeNo: string): BinanceSandboxOrder | undefined {
    const id = this.byTradeNo.get(`${merchant}:${tradeNo}`);
    return id ? this.find(id) : undefined;
  }

  /** An order by prepayId, brought up to date (expiry, a refund completing) on the way. */
  find(prepayId: string): BinanceSandboxOrder | undefined {
    const order = this.orders.get(prepayId);
    if (order) this.touch(order);
    return order;
  }

  create(merchant: BinanceMerchant, request: CreateOrderRequest): BinanceSandboxOrder {
    const at = this.now();
    const prepayId = `${BigInt(at) * 1000n + BigInt(this.orders.size % 1000)}${Math.floor(Math.random() * 1000).toString().padStart(3, '0')}`;
    const order: BinanceSandboxOrder = {
      prepayId, merchant: merchant.apiKey, merchantTradeNo: request.merchantTradeNo, orderAmount: request.orderAmount, currency: request.currency, goods: request.goods,
      status: 'INITIAL', returnUrl: request.returnUrl, cancelUrl: request.cancelUrl, webhookUrl: request.webhookUrl, expireTime: request.expireTime, refunds: [], webhooks: [],
    };
    this.orders.set(prepayId, order);
    this.byTradeNo.set(`${merchant.apiKey}:${request.merchantTradeNo}`, prepayId);
    // Binance closes an unpaid order at orderExpireTime and says so with PAY_CLOSED (contracts §4).
    this.expireLater(order, at);
    return order;
  }

  /**
   * Looks at the order just after its expiry time. A timer may fire a millisecond before the wall
   * clock reaches it (Node's timers keep the loop's own time), so one that finds the order not yet
   * due waits out the rest.
   */
  private expireLater(order: BinanceSandboxOrder, at: number): void {
    this.webhooks.later(Math.max(0, order.expireTime - at) + 1, () => {
      const now = this.now();
      if ((order.status === 'INITIAL' || order.status === 'PENDING') && order.expireTime >= now) this.expireLater(order, now);
      else this.touch(order);
    });
  }

  /** The customer pays (from INITIAL or PENDING); paying twice changes nothing. */
  pay(order: BinanceSandboxOrder): void {
    this.touch(order);
    if (order.status !== 'INITIAL' && order.status !== 'PENDING') return;
    order.status = 'PAID';
    order.transactTime = this.now();
    this.webhooks.notify(order, 'PAY_SUCCESS');
  }

  /** The customer cancels on the pay page. */
  cancel(order: BinanceSandboxOrder): void {
    this.touch(order);
    if (order.status !== 'INITIAL' && order.status !== 'PENDING') return;
    order.status = 'CANCELED';
    this.webhooks.notify(order, 'PAY_CLOSED');
  }

  /** A control call puts the order in a state the pages do not reach: PENDING, ERROR, REFUNDING. */
  force(order: BinanceSandboxOrder, status: BinanceOrderStatus): void {
    order.status = status;
    if (status === 'REFUNDING') order.refundedAt = Number.POSITIVE_INFINITY;
  }

  /** Refunds once per refundRequestId; a full refund goes through REFUNDING to FULL_REFUNDED. */
  refund(order: BinanceSandboxOrder, refundRequestId: string, amount: string): RefundOutcome {
    this.touch(order);
    if (order.refunds.some((r) => r.refundRequestId === refundRequestId)) return { ok: true, duplicate: true };
    if (order.status !== 'PAID' && order.status !== 'REFUNDED') return { ok: false, code: '400203', message: `Order status ${order.status} does not allow a refund.` };
    const refunded = order.refunds.reduce((sum, r) => sum.plus(r.refundAmount), new Big(0)).plus(amount);
    if (refunded.gt(order.orderAmount)) return { ok: false, code: '400204', message: 'Refund amount exceeds the order amount.' };
    order.refunds.push({ refundRequestId, refundAmount: new Big(amount).toFixed() });
    order.status = 'REFUNDING';
    order.refundedAt = this.now() + this.refundingMs;
    this.touch(order);
    return { ok: true, duplicate: false };
  }

  /** Time-driven changes, applied whenever the order is looked at (and by the expiry timer). */
  private touch(order: BinanceSandboxOrder): void {
    const now = this.now();
    if ((order.status === 'INITIAL' || order.status === 'PENDING') && order.expireTime < now) {
      order.status = 'EXPIRED';
      this.webhooks.notify(order, 'PAY_CLOSED');
    }
    if (order.status === 'REFUNDING' && order.refundedAt !== undefined && order.refundedAt <= now) {
      const refunded = order.refunds.reduce((sum, r) => sum.plus(r.refundAmount), new Big(0));
      order.status = refunded.eq(order.orderAmount) ? 'FULL_REFUNDED' : 'REFUNDED';
      order.refundedAt = undefined;
    }
  }
}
