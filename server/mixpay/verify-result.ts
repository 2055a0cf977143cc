/**
 * Decides what a MixPay payment result means for one of our orders (seeds 001 and 003). Pure: the
 * caller has already found the order in its database and fetched the result from
 * `/payments_result`, never trusting the callback's body.
 */
import { sameAmount, subtractAmounts } from '../merchant/amounts.ts';
import type { PaymentResult } from './types.ts';

export interface ExpectedPayment {
  payeeId: string;
  quoteAmount: string;
  quoteAssetId: string;
}

/** payments_result `failureCode` of a link that lapsed (contracts §1 refund reasons: 40000 "payment overtime"). */
export const OVERTIME_FAILURE_CODE = '40000';

export type MismatchField = 'payeeId' | 'quoteAmount' | 'quoteAssetId';

export type Verdict =
  | { kind: 'paid'; paymentAmount: string; paymentSymbol: string }
  | { kind: 'pending'; paymentAmount: string; paymentSymbol: string }
  | { kind: 'paid_less'; paidAmount: string; amountDue: string | null; paymentSymbol: string }
  | { kind: 'failed'; reason: string; overtime: boolean; paymentAmount: string; paymentSymbol: string }
  | { kind: 'unpaid' }
  | { kind: 'mismatch'; field: MismatchField; expected: string; actual: string };

/** Fiat codes are compared case-insensitively ("usd" = "USD"); asset UUIDs are lowercase anyway. */
export function sameQuoteAsset(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function sameId(a: string, b: string): boolean {
  // Mixin UUIDs appear with and without dashes (seed 002's example payeeId has none).
  const norm = (s: string) => s.trim().toLowerCase().replace(/-/g, '');
  return norm(a) === norm(b);
}

/**
 * Checks payee, quote asset and quote amount before looking at `status`: a result for a different
 * payee, asset or price is never ours to act on, whatever its status says (seed 003 §1).
 */
export function verifyPaymentResult(expected: ExpectedPayment, result: PaymentResult): Verdict {
  if (typeof result.payeeId !== 'string' || !sameId(result.payeeId, expected.payeeId)) {
    return { kind: 'mismatch', field: 'payeeId', expected: expected.payeeId, actual: String(result.payeeId) };
  }
  if (typeof result.quoteAssetId !== 'string' || !sameQuoteAsset(result.quoteAssetId, expected.quoteAssetId)) {
    return { kind: 'mismatch', field: 'quoteAssetId', expected: expected.quoteAssetId, actual: String(result.quoteAssetId) };
  }
  if (!sameAmount(String(result.quoteAmount), expected.quoteAmount)) {
    return { kind: 'mismatch', field: 'quoteAmount', expected: expected.quoteAmount, actual: String(result.quoteAmount) };
  }
  const paymentAmount = result.paymentAmount ?? '';
  const paymentSymbol = result.paymentSymbol ?? '';
  switch (result.status) {
    case 'success':
      return { kind: 'paid', paymentAmount, paymentSymbol };
    case 'failed':
      return {
        kind: 'failed',
        reason: result.failureReason || (result.failureCode && result.failureCode !== '0' ? `code ${result.failureCode}` : 'failed'),
        // MixPay fails a link that lapsed unpaid (or paid in part) with 40000 "Payment overtime".
        overtime: String(result.failureCode) === OVERTIME_FAILURE_CODE,
        paymentAmount,
        paymentSymbol,
      };
    case 'pending':
    case 'auditing': {
      const payment = result.payment;
      if (result.status === 'pending' && payment?.isMultiPay === true && payment.isFullyPaid === false) {
        const paid = payment.totalTransactionsAmount ?? paymentAmount;
        const due = result.payableAmount ? subtractAmounts(result.payableAmount, paid) : null;
        return { kind: 'paid_less', paidAmount: paid, amountDue: due, paymentSymbol };
      }
      return { kind: 'pending', paymentAmount, paymentSymbol };
    }
    case 'unpaid':
      return { kind: 'unpaid' };
    default:
      // An unknown status is not proof of anything; treat it as not yet paid.
      return { kind: 'unpaid' };
  }
}
