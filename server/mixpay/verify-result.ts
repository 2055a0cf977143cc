/**
 * Decides what a MixPay payment result means for one of our orders (seeds 001 and 003). Pure: the
 * caller has already found the order in its database and fetched the result from
 * `/payments_result`, never trusting the callback's body.
 */
import { sameAmount, subtractAmounts } from '../core/amounts.ts';
import { isUuid, sameId } from '../core/ids.ts';
import type { PaymentResult } from './types.ts';

export interface ExpectedPayment {
  payeeId: string;
  quoteAmount: string;
  quoteAssetId: string;
  /** Our orderId at MixPay: a result that names another order is not ours. */
  orderId?: string;
}

/** payments_result `failureCode` of a link that lapsed (contracts §1 refund reasons: 40000 "payment overtime"). */
export const OVERTIME_FAILURE_CODE = '40000';

export type MismatchField = 'payeeId' | 'quoteAmount' | 'quoteAssetId' | 'orderId' | 'traceId';

export type Verdict =
  | { kind: 'paid'; paymentAmount: string; paymentSymbol: string }
  | { kind: 'pending'; paymentAmount: string; paymentSymbol: string }
  | { kind: 'paid_less'; paidAmount: string; amountDue: string | null; paymentSymbol: string }
  | { kind: 'failed'; reason: string; overtime: boolean; paymentAmount: string; paymentSymbol: string }
  | { kind: 'unpaid' }
  | { kind: 'mismatch'; field: MismatchField; expected: string; actual: string };

/**
 * A quote asset is a fiat code, compared case-insensitively ("usd" = "USD"), or a Mixin asset
 * UUID, compared by the one id rule (case, all dashes or none). Nothing else is forgiven: " usd"
 * is not our asset.
 */
export function sameQuoteAsset(a: string, b: string): boolean {
  if (isUuid(a) || isUuid(b)) return sameId(a, b);
  return a.toLowerCase() === b.toLowerCase();
}

/** A plain decimal as MixPay writes amounts: "19.99", "19.990", "10"; no sign, exponent, spaces or leading zeros. */
const PLAIN_DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

/**
 * The result's quote amount as decimal text, or null when it is not one. Amounts travel as
 * strings (contracts §1); a JSON number is read as the decimal it prints as. Anything else
 * (arrays, "1.999e1", "+19.99", "019.99", "0x13", " 19.99") is not an amount we can vouch for.
 */
export function resultAmount(value: unknown): string | null {
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
  return text !== null && PLAIN_DECIMAL.test(text) ? text : null;
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
  // MixPay's documented result names no orderId; when one is there it must be ours.
  const resultOrderId: unknown = (result as { orderId?: unknown }).orderId;
  if (expected.orderId !== undefined && resultOrderId !== undefined && resultOrderId !== null && resultOrderId !== '' && resultOrderId !== expected.orderId) {
    return { kind: 'mismatch', field: 'orderId', expected: expected.orderId, actual: String(resultOrderId) };
  }
  const quoteAmount = resultAmount(result.quoteAmount);
  if (quoteAmount === null || !sameAmount(quoteAmount, expected.quoteAmount)) {
    return { kind: 'mismatch', field: 'quoteAmount', expected: expected.quoteAmount, actual: String(result.quoteAmount) };
  }
  const paymentAmount = result.paymentAmount ?? '';
  const paymentSymbol = result.paymentSymbol ?? '';
  switch (result.status) {
    case 'success':
      // A multi-pay success whose own details say it is not fully paid is not proof of payment
      // (contracts §1 reads underpayment from these two flags; alone, isFullyPaid is not documented).
      if (result.payment?.isMultiPay === true && result.payment.isFullyPaid === false) return { kind: 'pending', paymentAmount, paymentSymbol };
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
