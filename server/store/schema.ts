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
  // 002_merchant_lifecycle: settlement (seed 001 `settle`), late payments, reconciliation schedule.
  settle_status: string | null;
  settle_amount: string | null;
  settle_asset: string | null;
  settle_symbol: string | null;
  /** 1 when money arrived after the order had expired or been canceled. */
  late_payment: Generated<number>;
  /** When the reconciler next asks MixPay about this order; null = never again. */
  next_check_at: number | null;
  check_count: Generated<number>;
  last_checked_at: number | null;
  /** 005_budget_window: 1 when a success paid less than was payable (still PAID, seed 003; shown to the operator). */
  underpaid: Generated<number>;
  /** 008_idempotency: the merchant_order_id while the order is NEW with a live link (unique), else null. */
  open_merchant_order_id?: string | null;
  // 010_payment_progress: what the customer sees of the payment, and where the checkout started.
  /** Confirmations of the transaction being confirmed, while MixPay reports the payment pending; else null. */
  confirmations?: number | null;
  /** Confirmations that transaction needs, with `confirmations`. */
  required_confirms?: number | null;
  /** JSON `[{txid, explorer_url}]` of the transactions that paid (explorer_url checked http(s), else null). */
  payment_transactions?: string | null;
  /** The page the checkout started from (its origin checked against ALLOWED_ORIGINS), for "Back to the shop". */
  return_to?: string | null;
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

/** The outbox of signed notifications to the merchant's callback_url (002_merchant_lifecycle). */
export interface NotificationsTable {
  /** The event id, sent as `Mixpay-Checkout-Event-Id`; the same on every attempt. */
  id: string;
  order_id: string;
  order_version: number;
  order_status: OrderStatus;
  previous_status: OrderStatus | null;
  url: string;
  /** The exact JSON body sent (and signed) on every attempt. */
  body: string;
  /** `failed`: the merchant refused the request itself (a 4xx other than 408/425/429); not retried. */
  state: 'pending' | 'delivered' | 'gave_up' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: number | null;
  locked_until: number | null;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface NotificationAttemptsTable {
  id: string;
  notification_id: string;
  attempt: number;
  trigger: 'schedule' | 'manual';
  started_at: number;
  duration_ms: number;
  http_status: number | null;
  outcome: 'delivered' | 'rejected' | 'unreachable';
  detail: string | null;
}

/** Call budgets shared by every process of one installation (e.g. MixPay's 60 calls a minute). */
export interface CallBudgetsTable {
  name: string;
  /** 002's token bucket; unused since the sliding window of 005 (call_budget_slots). */
  tokens: number;
  updated_at: number;
  blocked_until: Generated<number>;
  /** Consecutive incidents behind the back-off. */
  failures: Generated<number>;
  /** 005: when the last failure was recorded; a call sent before it failed in the same incident. */
  failed_at: Generated<number>;
}

/** 005_budget_window: the last MixPay check a callback from an unknown source caused, per order. */
export interface CallbackChecksTable {
  order_id: string;
  checked_at: number;
}

/** 005_budget_window: one row per call slot of a budget; a slot is free once its call left the 60 s window. */
export interface CallBudgetSlotsTable {
  name: string;
  slot: number;
  used_at: number;
}

/** Incoming transfers to the payee bot (003_merchant_income). */
export interface IncomeSnapshotsTable {
  snapshot_id: string;
  asset_id: string;
  amount: string;
  opponent_id: string | null;
  trace_id: string | null;
  memo: string | null;
  /** The MixPay payment trace this transfer settles, when its memo or trace names one. */
  payment_trace_id: string | null;
  order_id: string | null;
  snapshot_created_at: string;
  recorded_at: number;
}

export interface MerchantCursorsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface Database {
  orders: OrdersTable;
  income_snapshots: IncomeSnapshotsTable;
  merchant_cursors: MerchantCursorsTable;
  order_events: OrderEventsTable;
  notifications: NotificationsTable;
  notification_attempts: NotificationAttemptsTable;
  call_budgets: CallBudgetsTable;
  call_budget_slots: CallBudgetSlotsTable;
  callback_checks: CallbackChecksTable;
  admin_sessions: AdminSessionsTable;
  idempotency_keys: IdempotencyKeysTable;
  broker_orders: BrokerOrdersTable;
  broker_order_events: BrokerOrderEventsTable;
  broker_jobs: BrokerJobsTable;
  broker_balances: BrokerBalancesTable;
  broker_cursors: BrokerCursorsTable;
  broker_incoming: BrokerIncomingTable;
  broker_reservations: BrokerReservationsTable;
}

/** Sign-in sessions of the admin page (007_admin_indexes). */
export interface AdminSessionsTable {
  id_hash: string;
  csrf_token: string;
  operator: string;
  created_at: number;
  expires_at: number;
}

/** First answers to `Idempotency-Key` on POST /v1/orders, kept 24 hours (008_idempotency). */
export interface IdempotencyKeysTable {
  key: string;
  request_hash: string;
  state: 'running' | 'done';
  status_code: number | null;
  response_body: string | null;
  created_at: number;
  updated_at: number;
}

// Broker mode (server/broker, migration 100_broker).
export type BrokerOrderStatus =
  | 'CREATING' // row reserved, the wallet order not yet made
  | 'FAILED' // the wallet refused or could not be reached; the same request may try again
  | 'NEW' // links handed to MixPay, waiting for the customer (the merchant's NEW; 101: was OPEN)
  | 'PAID' // the wallet confirmed payment in time; the transfer to MixPay is queued
  | 'SETTLED' // Mixin answered the transfer
  | 'LATE_PAID' // paid after expired_at; the customer is refunded through the wallet
  | 'MIXPAY_REFUNDED' // MixPay sent the amount back (RF memo); the customer is being refunded
  | 'REFUNDED' // the wallet confirmed the customer's refund
  | 'CLOSED'; // the wallet closed the order unpaid

export interface BrokerOrdersTable {
  trace_id: string;
  payee_id: string;
  wallet: string;
  asset_id: string;
  amount: string;
  fee_amount: string;
  pay_amount: string;
  currency: string;
  memo: string;
  expired_at: number;
  return_url: string;
  opponent_id: string;
  status: BrokerOrderStatus;
  upstream_id: string | null;
  checkout_url: string | null;
  deep_link: string | null;
  universal_url: string | null;
  paid_at: number | null;
  settled_at: number | null;
  settlement_snapshot_id: string | null;
  refund_code: string | null;
  refund_reason: string | null;
  refunded_at: number | null;
  created_at: number;
  updated_at: number;
  /** Bumped by every status change and take-over, under a compare-and-set (101_broker_order_history). */
  version: Generated<number>;
  /** `amount` in 10^-8 units while the order holds it from the balance, else 0 (102_broker_reservations). */
  held_units: Generated<number | string>;
  /** When the hold lapses (expired_at of an unpaid order); null for a paid order's or no hold. */
  hold_expires_at: Generated<number | null>;
  /** The caller's address that created the order, for the per-source caps. */
  source: Generated<string | null>;
}

/** One row per status change of a broker order, and per take-over (101_broker_order_history). */
export interface BrokerOrderEventsTable {
  id: string;
  trace_id: string;
  from_status: BrokerOrderStatus | null;
  to_status: BrokerOrderStatus;
  /** The order's version after the change. */
  version: number;
  reason: string;
  detail: string | null;
  created_at: number;
}

export type BrokerJobKind = 'transfer' | 'wallet_refund';

export interface BrokerJobsTable {
  id: string;
  kind: BrokerJobKind;
  trace_id: string;
  status: 'pending' | 'done';
  reason: string;
  attempts: Generated<number>;
  next_run_at: number;
  locked_until: number | null;
  last_error: string | null;
  result: string | null;
  created_at: number;
  updated_at: number;
}

export interface BrokerBalancesTable {
  asset_id: string;
  symbol: string;
  balance: string;
  synced_at: number;
}

/**
 * What open orders hold, per asset and scope (`bot`, `payee:<uuid>`, `source:<address>`), kept
 * in the same transaction as every hold change so create_order never sums orders (102).
 */
export interface BrokerReservationsTable {
  scope: string;
  asset_id: string;
  reserved_units: number | string;
  open_orders: number;
  /** The bot's row only: the synced balance in units, less transfers made since the sync began. */
  balance_units: Generated<number | string | null>;
}

export interface BrokerCursorsTable {
  name: string;
  value: string;
  updated_at: number;
}

export interface BrokerIncomingTable {
  snapshot_id: string;
  asset_id: string;
  amount: string;
  opponent_id: string | null;
  trace_id: string | null;
  memo: string | null;
  outcome: 'mixpay_refund' | 'unmatched';
  /** The memo exactly as Mixin sent it, base64 of its UTF-8, when `memo` had to be escaped (103). */
  memo_base64: Generated<string | null>;
  order_trace_id: string | null;
  note: string;
  snapshot_created_at: string;
  recorded_at: number;
}
