/**
 * Brings one order up to date with MixPay's payment result, applying seed 001's MUST steps: the
 * order is ours and awaits a result; the result comes from `/payments_result` (never from the
 * caller); payee, quote amount and quote asset match; only then does the status move.
 */
import type { AppDeps } from '../app.ts';
import { verifyPaymentResult, type Verdict } from '../mixpay/verify-result.ts';
import { AWAITING_STATUSES, statusForVerdict } from './order-state.ts';
import { recordEvent, transitionOrder, type Order, type OrderPatch } from './order-store.ts';

export type SyncOutcome =
  | { kind: 'not_awaiting'; order: Order }
  | { kind: 'unchanged'; order: Order; verdict: Verdict }
  | { kind: 'changed'; order: Order; verdict: Verdict }
  | { kind: 'mismatch'; order: Order; verdict: Extract<Verdict, { kind: 'mismatch' }> };

export type SyncDeps = Pick<AppDeps, 'store' | 'mixpay' | 'now'>;

/** Orders that may still change on MixPay's news: awaiting ones, and expired ones (late payments). */
export function awaitsResult(order: Order): boolean {
  return AWAITING_STATUSES.has(order.status) || order.status === 'EXPIRED';
}

/**
 * Fetches the result for `order` and applies it. Throws MixPay's errors (unavailable, rate limit)
 * to the caller, which decides whether to ask MixPay to call again.
 */
export async function syncOrderWithMixPay(deps: SyncDeps, order: Order, trigger: string): Promise<SyncOutcome> {
  if (!awaitsResult(order)) return { kind: 'not_awaiting', order };
  // Ask by our own orderId and payee: the callback's traceId is untrusted input.
  const result = await deps.mixpay.getPaymentResult({ orderId: order.mixpay_order_id, payeeId: order.payee_id }, ['payment']);
  const verdict = verifyPaymentResult(
    { payeeId: order.payee_id, quoteAmount: order.price_amount, quoteAssetId: order.quote_asset_id },
    result,
  );
  if (verdict.kind === 'mismatch') {
    await recordEvent(deps.store.db, order.id, order.status, order.status, `mismatch:${verdict.field}`, { trigger, ...verdict, status: result.status }, deps.now());
    return { kind: 'mismatch', order, verdict };
  }
  const to = statusForVerdict(order.status, verdict);
  if (!to) return { kind: 'unchanged', order, verdict };
  const patch: OrderPatch = { mixpay_trace_id: result.traceId || order.mixpay_trace_id };
  if (verdict.kind === 'paid' || verdict.kind === 'pending' || verdict.kind === 'failed') {
    patch.pay_amount = verdict.paymentAmount || null;
    patch.pay_currency = verdict.paymentSymbol || null;
  }
  if (verdict.kind === 'paid_less') {
    patch.pay_amount = verdict.paidAmount || null;
    patch.pay_currency = verdict.paymentSymbol || null;
    patch.amount_due = verdict.amountDue;
  } else {
    patch.amount_due = null;
  }
  if (verdict.kind === 'failed') patch.failure_reason = verdict.reason.slice(0, 400);
  const late = order.status === 'EXPIRED' ? ':late' : '';
  const applied = await transitionOrder(
    deps.store.db,
    order.id,
    to,
    `${trigger}:${verdict.kind}${late}`,
    patch,
    { status: result.status, paymentAmount: result.paymentAmount, paymentSymbol: result.paymentSymbol, traceId: result.traceId },
    deps.now(),
  );
  return applied.changed ? { kind: 'changed', order: applied.order, verdict } : { kind: 'unchanged', order: applied.order, verdict };
}
