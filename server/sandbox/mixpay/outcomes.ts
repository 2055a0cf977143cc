/**
 * What each simulated customer action does to a payment (pure: no timers, no I/O). Each function
 * returns the callback events MixPay would fire for the change; the caller delivers them.
 */
import Big from 'big.js';
import type { CallbackEvent } from '../../mixpay/types.ts';
import { SandboxError } from './envelope.ts';
import {
  REQUIRED_CONFIRMS,
  isFullyPaid,
  isOverdue,
  payableAmountOf,
  paymentAssetOf,
  totalPaidOf,
  type SandboxPayment,
} from './payment.ts';

export const OUTCOMES = ['success', 'fail', 'pending', 'confirm', 'paid_less', 'expire'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface SimulateRequest {
  outcome: Outcome;
  /** Amount of this step's transaction, in the payment asset. */
  paymentAmount?: string;
  /** Tampering, as an edited plain pay link would (seed 003): payments_result reports these instead of the order's. */
  quoteAmount?: string;
  quoteAssetId?: string;
  payeeId?: string;
}

/** MixPay's payments_result failure codes (its developer docs, "Checking for failure"). */
export const FAILURES = {
  overtime: { code: '40000', reason: 'Payment overtime' },
  wrongAsset: { code: '40020', reason: 'Wrong asset paid' },
  wrongAmount: { code: '40024', reason: 'Wrong Amount paid' },
} as const;

/** Applies one customer action; throws a SandboxError and changes nothing when the link cannot take it. */
export function applyOutcome(payment: SandboxPayment, request: SimulateRequest, nowMs: number, newTxid: () => string): CallbackEvent[] {
  assertOpen(payment, nowMs);
  const { outcome } = request;
  if (outcome === 'expire') {
    if (request.paymentAmount !== undefined) throw new SandboxError('parameter', 'expire takes no paymentAmount.');
    if (payment.status === 'pending' && isFullyPaid(payment)) {
      throw new SandboxError('parameter', 'A payment that arrived in time does not expire; simulate success or fail instead.');
    }
  }
  // Checks that depend on the amounts use the tampered quote, so validate against a draft first.
  const reported = {
    quoteAmount: request.quoteAmount ?? payment.reported.quoteAmount,
    quoteAssetId: request.quoteAssetId ?? payment.reported.quoteAssetId,
    payeeId: request.payeeId ?? payment.reported.payeeId,
  };
  const remaining = new Big(reported.quoteAmount).minus(totalPaidOf(payment));
  const nowSeconds = Math.floor(nowMs / 1000);
  const transaction = (amount: string, confirmations: number) => ({
    paymentAmount: amount,
    paymentAssetId: paymentAssetOf(payment),
    txid: newTxid(),
    broadcastAt: nowSeconds,
    confirmations,
  });

  switch (outcome) {
    case 'success': {
      const amount = request.paymentAmount ?? (remaining.gt(0) ? remaining.toFixed() : undefined);
      payment.reported = reported;
      if (amount !== undefined) payment.transactions.push(transaction(amount, REQUIRED_CONFIRMS));
      for (const tx of payment.transactions) tx.confirmations = Math.max(tx.confirmations, REQUIRED_CONFIRMS);
      payment.status = 'success';
      payment.date = nowSeconds;
      return ['success'];
    }
    case 'pending': {
      if (payment.status === 'pending' && isFullyPaid(payment)) {
        throw new SandboxError('parameter', 'This payment is already waiting for confirmations; simulate success or fail.');
      }
      const amount = request.paymentAmount ?? remaining.toFixed();
      if (!new Big(amount).gt(0)) throw new SandboxError('parameter', 'Nothing is left to pay; simulate success instead.');
      payment.reported = reported;
      payment.transactions.push(transaction(amount, 1));
      payment.status = 'pending';
      payment.date = nowSeconds;
      return ['pending'];
    }
    case 'confirm': {
      // One more block on the transaction being confirmed; the last one it needs makes it a success.
      const confirming = payment.status === 'pending' && isFullyPaid(payment) ? payment.transactions.find((tx) => tx.confirmations < REQUIRED_CONFIRMS) : undefined;
      if (!confirming || request.paymentAmount !== undefined) {
        throw new SandboxError('parameter', 'confirm takes no paymentAmount and needs a payment waiting for confirmations; simulate pending first.');
      }
      confirming.confirmations += 1;
      payment.date = nowSeconds;
      if (payment.transactions.some((tx) => tx.confirmations < REQUIRED_CONFIRMS)) return ['pending'];
      payment.status = 'success';
      return ['success'];
    }
    case 'paid_less': {
      if (payment.status === 'pending' && isFullyPaid(payment)) {
        throw new SandboxError('parameter', 'This payment is already paid in full and waiting for confirmations.');
      }
      const amount = request.paymentAmount ?? remaining.div(2).round(8, Big.roundDown).toFixed();
      if (!new Big(amount).gt(0) || new Big(amount).gte(remaining)) {
        throw new SandboxError('parameter', `paid_less needs a paymentAmount above 0 and below the ${remaining.toFixed()} still due; use success to pay in full.`);
      }
      payment.reported = reported;
      payment.transactions.push(transaction(amount, REQUIRED_CONFIRMS));
      payment.multiPay = true;
      payment.status = 'pending';
      payment.date = nowSeconds;
      return ['paid_less'];
    }
    case 'fail': {
      // Seed 001: on `fail`, paymentAmount is not empty: it is what the customer sent (and gets back).
      const amount = request.paymentAmount ?? (payment.transactions.length ? undefined : reported.quoteAmount);
      payment.reported = reported;
      if (amount !== undefined) payment.transactions.push(transaction(amount, REQUIRED_CONFIRMS));
      const failure = new Big(totalPaidOf(payment)).eq(reported.quoteAmount) ? FAILURES.wrongAsset : FAILURES.wrongAmount;
      markFailed(payment, failure, nowSeconds);
      return ['fail'];
    }
    case 'expire':
      payment.reported = reported;
      return expire(payment, nowSeconds);
  }
}

/**
 * MixPay's docs: after `expiredTimestamp` "the payment result status field will be marked as
 * `failed`, and the `failureReason` will be `Payment overtime`". An unpaid link or one paid only in
 * part expires; a full payment awaiting confirmations does not. The sandbox notices lapsed time
 * whenever the link is touched (read, shown or simulated) and then sends `fail`.
 */
export function expireIfOverdue(payment: SandboxPayment, nowMs: number): CallbackEvent[] {
  if (!isOverdue(payment, nowMs)) return [];
  if (payment.status === 'unpaid' || (payment.status === 'pending' && !isFullyPaid(payment))) {
    return expire(payment, Math.floor(nowMs / 1000));
  }
  return [];
}

/** Settlement a moment after success (seed 001 `settle`); returns the events, none when nothing changed. */
export function settle(payment: SandboxPayment): CallbackEvent[] {
  if (payment.status !== 'success' || payment.settleStatus !== 'pending') return [];
  payment.settleStatus = 'success';
  payment.settleAmount = new Big(payableAmountOf(payment)).toFixed();
  return ['settle'];
}

function expire(payment: SandboxPayment, nowSeconds: number): CallbackEvent[] {
  markFailed(payment, FAILURES.overtime, nowSeconds);
  return ['fail'];
}

function markFailed(payment: SandboxPayment, failure: { code: string; reason: string }, nowSeconds: number): void {
  payment.status = 'failed';
  payment.failureCode = failure.code;
  payment.failureReason = failure.reason;
  payment.date = nowSeconds;
}

/** A one-time link is paid once (seed 003); a failed or expired one cannot be paid either. */
function assertOpen(payment: SandboxPayment, nowMs: number): void {
  if (payment.status === 'success') {
    throw new SandboxError('alreadyPaid', 'This one-time link was already paid; mint a new one.');
  }
  if (payment.status === 'failed') {
    if (payment.failureCode === FAILURES.overtime.code) {
      throw new SandboxError('overtime', 'This one-time link expired; mint a new one.');
    }
    throw new SandboxError('alreadyPaid', `This one-time link already failed (failureCode ${payment.failureCode}); mint a new one.`);
  }
  if (isOverdue(payment, nowMs) && !(payment.status === 'pending' && isFullyPaid(payment))) {
    throw new SandboxError('overtime', 'This one-time link expired; mint a new one.');
  }
}
