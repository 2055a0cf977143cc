/** How orders look on the wire: MugglePay's order shape, with amounts as decimal strings. */
import type { Order } from './order-store.ts';
import { storedTransactions } from './payment-progress.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export interface OrderLinks {
  checkout_url: string;
  universal_url: string;
  deep_link: string;
}

export function orderLinks(order: Pick<Order, 'checkout_url' | 'universal_url' | 'deep_link'>): OrderLinks {
  return {
    checkout_url: order.checkout_url ?? '',
    universal_url: order.universal_url ?? '',
    deep_link: order.deep_link ?? '',
  };
}

/** The order as the authenticated merchant API shows it (contracts §5 field names). */
export function merchantOrderView(order: Order) {
  return {
    order_id: order.id,
    merchant_order_id: order.merchant_order_id,
    title: order.title,
    description: order.description,
    callback_url: order.callback_url,
    cancel_url: order.cancel_url,
    success_url: order.success_url,
    price_amount: order.price_amount,
    price_currency: order.price_currency,
    pay_amount: order.pay_amount,
    pay_currency: order.pay_currency,
    amount_due: order.amount_due,
    status: order.status,
    failure_reason: order.failure_reason,
    late_payment: order.late_payment === 1,
    settle_status: order.settle_status,
    settle_amount: order.settle_amount,
    settle_asset: order.settle_asset,
    payment_url: order.checkout_url,
    created_at: iso(order.created_at),
    created_at_t: order.created_at,
    updated_at: iso(order.updated_at),
    expires_at: iso(order.expires_at),
    expires_at_t: order.expires_at,
  };
}

/** MugglePay's `GET /orders/:id` also answers an `invoice`; ours describes the MixPay one-time link. */
export function invoiceView(order: Order) {
  return {
    invoice_id: order.mixpay_code,
    order_id: order.id,
    status: order.status,
    price_amount: order.price_amount,
    price_currency: order.price_currency,
    pay_amount: order.pay_amount,
    pay_currency: order.pay_currency,
    amount_due: order.amount_due,
    payment_url: order.checkout_url,
    expires_at: iso(order.expires_at),
  };
}

/** What a browser may see: no callback URLs, no tokens, no settlement. */
export function publicOrderView(order: Order) {
  const {
    callback_url: _callback,
    cancel_url: _cancel,
    success_url: _success,
    settle_status: _settleStatus,
    settle_amount: _settleAmount,
    settle_asset: _settleAsset,
    ...rest
  } = merchantOrderView(order);
  return rest;
}

/** The columns `statusView` reads: the status endpoint and the change feed select only these. */
export const STATUS_COLUMNS = [
  'id', 'status', 'title', 'price_amount', 'price_currency', 'pay_amount', 'pay_currency', 'amount_due', 'failure_reason',
  'expires_at', 'updated_at', 'version', 'checkout_url', 'universal_url', 'deep_link',
  'confirmations', 'required_confirms', 'payment_transactions',
] as const satisfies ReadonlyArray<keyof Order>;

export type StatusFields = Pick<Order, (typeof STATUS_COLUMNS)[number]>;

/**
 * The minimal status document behind `/status` and each SSE message. It carries the title and the
 * merchant's name too, so an element given only `order="<id>"` can show what is being paid, to whom.
 */
export function statusView(order: StatusFields, payeeName: string | null) {
  return {
    order_id: order.id,
    status: order.status,
    title: order.title,
    payee_name: payeeName,
    price_amount: order.price_amount,
    price_currency: order.price_currency,
    pay_amount: order.pay_amount,
    pay_currency: order.pay_currency,
    amount_due: order.amount_due,
    failure_reason: order.failure_reason,
    expires_at: iso(order.expires_at),
    expires_at_t: order.expires_at,
    updated_at: iso(order.updated_at),
    version: order.version,
    links: orderLinks(order),
    // While MixPay reports the payment pending: `confirmations` of `required_confirms` (else null).
    confirmations: order.confirmations ?? null,
    required_confirms: order.required_confirms ?? null,
    /** The transactions that paid: txid and an http(s) block explorer link (or null). */
    transactions: storedTransactions(order.payment_transactions),
  };
}

export function statusEtag(order: Pick<Order, 'id' | 'version'>): string {
  return `W/"${order.id}.${order.version}"`;
}

/**
 * The answer to creating an order or a checkout: MugglePay's `{status: 201, order, payment_url}`
 * plus the links the element chooses from and where to follow the status.
 */
export function createdOrderAnswer(order: Order, site: { publicUrl: string; payeeName: string | null }, view: 'merchant' | 'public') {
  const { publicUrl, payeeName } = site;
  return {
    status: 201,
    order: { ...(view === 'merchant' ? merchantOrderView(order) : publicOrderView(order)), payee_name: payeeName },
    payment_url: order.checkout_url,
    links: orderLinks(order),
    status_url: `${publicUrl}/v1/orders/${order.id}/status`,
    events_url: `${publicUrl}/v1/orders/${order.id}/events`,
  };
}
