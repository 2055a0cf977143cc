/** One one-time payment link as the sandbox remembers it: what the merchant asked for and what happened. */
import Big from 'big.js';
import type { CallbackEvent, PaymentStatus } from '../../mixpay/types.ts';
import type { OneTimePaymentInput } from './one-time-payment-schema.ts';

/** Confirmations a sandbox transaction needs; MixPay's real number depends on the chain. */
export const REQUIRED_CONFIRMS = 3;

export interface SandboxTransaction {
  paymentAmount: string;
  paymentAssetId: string;
  txid: string;
  /** Unix seconds. */
  broadcastAt: number;
  confirmations: number;
}

export interface CallbackAttempt {
  attempt: number;
  /** Milliseconds since the epoch, from the sandbox clock. */
  at: number;
  /** Null when no HTTP answer arrived (refused connection, timeout). */
  httpStatus: number | null;
  outcome: 'acknowledged' | 'rejected' | 'unreachable';
  /** The receiver's answer (first 200 characters) or the network error. */
  detail: string;
}

export interface CallbackDelivery {
  event: CallbackEvent;
  status: 'delivering' | 'acknowledged' | 'gave_up' | 'stopped';
  payload: { orderId: string; traceId: string; payeeId: string };
  attempts: CallbackAttempt[];
}

export interface SandboxPayment {
  readonly code: string;
  readonly traceId: string;
  readonly request: OneTimePaymentInput;
  readonly createdAt: number;
  /** The subscribed events; success and fail are always sent (seed 001). */
  readonly callbackEvents: ReadonlySet<CallbackEvent>;
  status: PaymentStatus;
  /** What payments_result reports as quote and payee: the order's, unless a simulate call tampered with them. */
  reported: { quoteAmount: string; quoteAssetId: string; payeeId: string };
  transactions: SandboxTransaction[];
  /** Set by the first underpayment; MixPay then reports `payment.isMultiPay`. */
  multiPay: boolean;
  /** Unix seconds of the last payment step; 0 before any. */
  date: number;
  failureCode: string;
  failureReason: string;
  /** `pending` from the start, `success` once settled (contracts §1 knows no other value). */
  settleStatus: 'pending' | 'success';
  settleAmount: string;
  deliveries: CallbackDelivery[];
}

export function newPayment(request: OneTimePaymentInput, ids: { code: string; traceId: string }, nowMs: number): SandboxPayment {
  return {
    code: ids.code,
    traceId: ids.traceId,
    request,
    createdAt: nowMs,
    callbackEvents: new Set<CallbackEvent>(['success', 'fail', ...(request.callbackEvent ?? [])]),
    status: 'unpaid',
    reported: { quoteAmount: request.quoteAmount, quoteAssetId: request.quoteAssetId, payeeId: request.payeeId },
    transactions: [],
    multiPay: false,
    date: 0,
    failureCode: '0',
    failureReason: '',
    settleStatus: 'pending',
    settleAmount: '',
    deliveries: [],
  };
}

/** The asset the customer pays in: the one the merchant fixed, else the settlement asset. */
export function paymentAssetOf(payment: SandboxPayment): string {
  return payment.request.paymentAssetId ?? payment.request.settlementAssetId;
}

/** What paying in full costs in the payment asset: the (reported) quote, priced 1:1. */
export function payableAmountOf(payment: SandboxPayment): string {
  return payment.reported.quoteAmount;
}

/** Sum of all transactions, "0" before any. */
export function totalPaidOf(payment: SandboxPayment): string {
  return payment.transactions.reduce((sum, tx) => sum.plus(tx.paymentAmount), new Big(0)).toFixed();
}

export function isFullyPaid(payment: SandboxPayment): boolean {
  return new Big(totalPaidOf(payment)).gte(payableAmountOf(payment));
}

/** True once `expiredTimestamp` has passed; links without one never expire (MixPay's docs). */
export function isOverdue(payment: SandboxPayment, nowMs: number): boolean {
  const expires = payment.request.expiredTimestamp;
  return expires !== undefined && nowMs >= expires * 1000;
}
