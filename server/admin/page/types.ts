/** What /admin/api answers, as far as the page reads it. */
import type { OrderStatus } from '../../store/schema.ts';
export type { OrderStatus };
export type { TimelineEntry } from '../timeline.ts';
export type { EndpointHealth } from '../notification-health.ts';
export type { OrderAction } from '../order-actions.ts';
import type { OrderAction } from '../order-actions.ts';
import type { TimelineEntry } from '../timeline.ts';
export { ORDER_STATUSES } from '../../merchant/order-state.ts';

export interface AdminOrder {
  order_id: string;
  merchant_order_id: string | null;
  title: string;
  status: OrderStatus;
  price_amount: string;
  price_currency: string;
  pay_amount: string | null;
  pay_currency: string | null;
  amount_due: string | null;
  failure_reason: string | null;
  late_payment: boolean;
  settle_status: string | null;
  settle_amount: string | null;
  settle_asset: string | null;
  callback_url: string | null;
  payment_url: string | null;
  created_at: string;
  expires_at: string;
  mixpay_trace_id: string | null;
  mixpay_code: string | null;
  reconcile: { next_check_at: string | null; check_count: number; last_checked_at: string | null };
}

export interface NotificationAttempt {
  attempt: number;
  trigger: string;
  at: string;
  duration_ms: number;
  http_status: number | null;
  outcome: string;
  detail: string | null;
}

export interface AdminNotification {
  event_id: string;
  order_id: string;
  status: OrderStatus;
  previous_status: OrderStatus | null;
  url: string;
  /** `failed`: the merchant refused the request itself (a 4xx other than 408/425/429); not retried. */
  state: 'pending' | 'delivered' | 'gave_up' | 'failed';
  attempts_in_schedule: number;
  next_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  attempts?: NotificationAttempt[];
}

export interface OrderDetail {
  order: AdminOrder;
  timeline: TimelineEntry[];
  notifications: AdminNotification[];
  actions: OrderAction[];
}
