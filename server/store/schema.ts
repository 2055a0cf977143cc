/** Row types of every table. Areas that add a migration add their tables here. */
import type { Generated } from 'kysely';

export type OrderStatus =
  | 'NEW'
  | 'PENDING'
  | 'PAID'
  | 'UNRESOLVED'
  | 'RESOLVED'
  | 'EXPIRED'
  | 'CANCELED'
  | 'FAILED'
  | 'REFUND_PENDING'
  | 'REFUNDED';

export interface OrdersTable {
  id: string;
  merchant_order_id: string | null;
  product_id: string | null;
  title: string;
  description: string;
  price_amount: string;
  price_currency: string;
  quote_asset_id: string;
  settlement_asset_id: string;
  payee_id: string;
  pay_amount: string | null;
  pay_currency: string | null;
  amount_due: string | null;
  status: OrderStatus;
  failure_reason: string | null;
  callback_url: string | null;
  success_url: string | null;
  cancel_url: string | null;
  merchant_token: string | null;
  mixpay_order_id: string;
  mixpay_code: string | null;
  mixpay_trace_id: string | null;
  checkout_url: string | null;
  universal_url: string | null;
  deep_link: string | null;
  expires_at: number;
  version: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface OrderEventsTable {
  id: string;
  order_id: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  reason: string;
  detail: string | null;
  created_at: number;
}

export interface Database {
  orders: OrdersTable;
  order_events: OrderEventsTable;
}
