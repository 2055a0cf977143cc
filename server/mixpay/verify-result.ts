/**
 * Decides what a MixPay payment result means for one of our orders (seeds 001 and 003). Pure: the
 * caller has already found the order in its database and fetched the result from
 * `/payments_result`, never trusting the callback's body.
 */
import { isPositive, sameAmount, subtractAmounts } from '../core/amounts.ts';
import { isUuid, sameId } from '../core/ids.ts';
import { MixPayUnavailableError } from './errors.ts';
import type { PaymentResult, PaymentStatus } from './types.ts';

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

/** What a success paid against what it had to pay, in one asset (issue 13 §13). */
export interface Underpayment {
  paymentAmount: string;
  payableAmount: string;
  asset: string;
}

export type Verdict =
  | { kind: 'paid'; paymentAmount: string; paymentSymbol: string; underpaid?: Underpayment }
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

/** The statuses contracts §1 names; any other word is not an answer we can act on. */
const KNOWN_STATUSES: ReadonlySet<string> = new Set<PaymentStatus>(['unpaid', 'pending', 'success', 'failed', 'auditing']);

/**
 * `/payments_result` error codes that mean "MixPay has no such payment" (a link never minted):
 * nobody paid, so a callback about it is handled. **Unconfirmed**: 404 is the code of MixPay's
 * published "The payment link you visited does not exist" (and the sandbox's); any other
 * `success:false` is not an answer about the payment. Change this one list if reality differs.
 */
export const NO_SUCH_PAYMENT_CODES: ReadonlySet<number> = new Set([404]);

/** MixPay answered, but not with a result we can judge: ask again later (issue 13 §8). */
export class UnusableResultError extends MixPayUnavailableError {
  override name = 'UnusableResultError';
}

/**
 * Why a `/payments_result` answer is not a usable result, or null when it is: a status contracts
 * §1 names, and the payee, quote asset and quote amount that the MUST checks compare. A result
 * that has them but with other values is a mismatch, judged by verifyPaymentResult; one that
 * lacks them says nothing either way, so it is neither acted on nor acknowledged.
 */
export function unusableResult(result: unknown): string | null {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return 'no result object';
  const r = result as Record<string, unknown>;
  if (typeof r.status !== 'string' || !KNOWN_STATUSES.has(r.status)) return `unknown status ${JSON.stringify(r.status ?? null)}`;
  for (const field of ['payeeId', 'quoteAssetId'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') return `no ${field}`;
  }
  if (typeof r.quoteAmount !== 'string' && typeof r.quoteAmount !== 'number') return 'no quoteAmount';
  return null;
}

/**
 * A success that paid less than it had to, in one asset: `paymentAmount` below `payableAmount`
 * (both in the payment asset), or, when MixPay names no payable amount, below the quote when the
 * payment asset is the quote asset. Amounts in different assets are never compared. Seed 003 makes
 * such a success PAID all the same (the quote is what is checked); this only puts it on record.
 */
export function underpaymentOf(expected: ExpectedPayment, result: PaymentResult): Underpayment | null {
  const paid = resultAmount(result.payment?.totalTransactionsAmount) ?? resultAmount(result.paymentAmount);
  if (paid === null) return null;
  const asset = typeof result.paymentAssetId === 'string' ? result.paymentAssetId : '';
  const payable = resultAmount(result.payableAmount);
  const payableAsset = typeof result.payableAssetId === 'string' && result.payableAssetId !== '' ? result.payableAssetId : asset;
  let due: string | null = null;
  if (payable !== null && (asset === '' || sameId(payableAsset, asset))) due = payable;
  else if (asset !== '' && sameQuoteAsset(asset, expected.quoteAssetId)) due = expected.quoteAmount;
  if (due === null) return null;
  const short = subtractAmounts(due, paid);
  return short !== null && isPositive(short) ? { paymentAmount: paid, payableAmount: due, asset: payableAsset || expected.quoteAssetId } : null;
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
      const underpaid = underpaymentOf(expected, result);
      return underpaid ? { kind: 'paid', paymentAmount, paymentSymbol, underpaid } : { kind: 'paid', paymentAmount, paymentSymbol };
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
