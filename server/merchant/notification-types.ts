/** The JSON body of a notification, as a merchant's backend receives it (type only, no code). */
import type { OrderStatus } from '../store/schema.ts';

/** MugglePay's callback fields (contracts §5), amounts as decimal strings, plus `meta`. */
export interface MerchantNotification {
  merchant_order_id: string | null;
  order_id: string;
  status: OrderStatus;
  price_amount: string;
  price_currency: string;
  pay_amount: string | null;
  pay_currency: string | null;
  created_at: string;
  /** Milliseconds since the epoch. */
  created_at_t: number;
  /** The `token` you passed when creating the order (MugglePay's callback check). */
  token: string | null;
  meta: {
    /** Also in the `Mixpay-Checkout-Event-Id` header; the same on every retry and resend. */
    event_id: string;
    /** `order.status_changed`, or `order.settled`: settlement news on a PAID order, `status` unchanged. */
    event: 'order.status_changed' | 'order.settled';
    /** The order's version after this event: ignore an event older than one you have handled. */
    order_version: number;
    previous_status: OrderStatus | null;
    changed_at_t: number;
    /** What the customer still owes after paying less (UNRESOLVED). */
    amount_due: string | null;
    /** True when the money arrived after the order had expired or been canceled. */
    late_payment: boolean;
    failure_reason: string | null;
    settle_status: string | null;
    settle_amount: string | null;
    settle_asset: string | null;
  };
}
