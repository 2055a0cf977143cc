/**
 * Brings one order up to date with MixPay's payment result, applying seed 001's MUST steps: the
 * order is ours and awaits a result; the result comes from `/payments_result` (never from the
 * caller); payee, quote amount and quote asset match; only then does the status move. Every
 * event MixPay sends (`success`, `fail`, `pending`, `paid_less`, `settle`) and every
 * reconciliation check comes through here, so all of them pass the same checks.
 */
import type { MerchantDeps } from './deps.ts';
import { canonicalUuid, sameId } from '../core/ids.ts';
import type { PaymentResult } from '../mixpay/types.ts';
import { MixPayApiError } from '../mixpay/errors.ts';
import { NO_SUCH_PAYMENT_CODES, UnusableResultError, unusableResult, verifyPaymentResult, type Verdict } from '../mixpay/verify-result.ts';
import { AWAITING_STATUSES, isLatePayment, LATE_STATUSES, statusForVerdict } from './order-state.ts';
import { queueNotification } from './notifications.ts';
import { progressPatch } from './payment-progress.ts';
import { findOrder, patchOrder, recordEvent, transitionOrder, type Order, type OrderPatch } from './order-store.ts';

export type SyncOutcome =
  | { kind: 'not_awaiting'; order: Order }
  | { kind: 'unchanged'; order: Order; verdict: Verdict }
  | { kind: 'changed'; order: Order; verdict: Verdict }
  | { kind: 'mismatch'; order: Order; verdict: Extract<Verdict, { kind: 'mismatch' }> };

export type SyncDeps = Pick<MerchantDeps, 'store' | 'mixpay' | 'now' | 'incomeCheck'>;

/**
 * Orders whose MixPay news still matters: awaiting ones; expired and canceled ones (a late
 * payment is recorded, never dropped); paid ones until their settlement is known (`settle`).
 */
export function awaitsResult(order: Order): boolean {
  if (AWAITING_STATUSES.has(order.status) || LATE_STATUSES.has(order.status)) return true;
  return order.status === 'PAID' && order.settle_status !== 'success';
}

/** Settlement fields that differ from what the order holds; empty when nothing new (or not a success). */
export function settlementPatch(order: Order, result: PaymentResult): OrderPatch {
  const patch: OrderPatch = {};
  // Settlement belongs to a successful payment only; a result in any other state settles nothing.
  if (result.status !== 'success') return patch;
  const status = result.settleStatus || null;
  if (!status) return patch;
  if (status !== order.settle_status) patch.settle_status = status;
  const amount = result.settleAmount || null;
  if (amount && amount !== order.settle_amount) patch.settle_amount = amount;
  const asset = result.settleAsset || null;
  if (asset && asset !== order.settle_asset) patch.settle_asset = asset;
  const symbol = result.settleSymbol || null;
  if (symbol && symbol !== order.settle_symbol) patch.settle_symbol = symbol;
  return patch;
}

/**
 * Fetches the result for `order` and applies it. Throws MixPay's errors (unavailable, rate limit)
 * to the caller, which decides whether to ask MixPay to call again.
 */
export async function syncOrderWithMixPay(deps: SyncDeps, order: Order, trigger: string): Promise<SyncOutcome> {
  if (!awaitsResult(order)) return { kind: 'not_awaiting', order };
  const result = await fetchUsableResult(deps, order);
  let verdict = verifyPaymentResult(
    { payeeId: order.payee_id, quoteAmount: order.price_amount, quoteAssetId: order.quote_asset_id, orderId: order.mixpay_order_id },
    result,
  );
  if (verdict.kind !== 'mismatch' && typeof result.traceId === 'string' && result.traceId !== '' && (await tracedElsewhere(deps, order, result.traceId))) {
    // Another of our orders already holds this payment: one payment never pays two orders. (Whether
    // a payment's traceId can change, e.g. across a multi-pay, is unconfirmed, so a traceId new to
    // this order is not refused on that ground alone.)
    verdict = { kind: 'mismatch', field: 'traceId', expected: order.mixpay_trace_id ?? '(none yet)', actual: result.traceId };
  }
  if (verdict.kind === 'mismatch') {
    await recordEvent(deps.store.db, order.id, order.status, order.status, `mismatch:${verdict.field}`, { trigger, ...verdict, status: result.status }, deps.now());
    return { kind: 'mismatch', order, verdict };
  }
  const detail = { status: result.status, paymentAmount: result.paymentAmount, paymentSymbol: result.paymentSymbol, traceId: result.traceId, failureCode: result.failureCode };
  let to = statusForVerdict(order.status, verdict);
  let hold = '';
  if (to === 'PAID' && deps.incomeCheck && !(await incomeSeen(deps, order, result.traceId))) {
    // Seed 003 §3: the money must be seen arriving in the payee bot's wallet first. Until then a
    // verified success waits as PENDING; the income watcher finishes the job.
    to = AWAITING_STATUSES.has(order.status) && order.status !== 'PENDING' ? 'PENDING' : null;
    hold = ':awaiting_income';
    await recordOnce(deps, order, 'income:awaiting', { traceId: result.traceId });
    if (!to) {
      if (result.traceId && !sameId(result.traceId, order.mixpay_trace_id ?? '')) await patchOrder(deps.store.db, order.id, { mixpay_trace_id: storedTrace(result.traceId) }, deps.now());
      return applySettlement(deps, order, result, verdict);
    }
  }
  if (!to) {
    // News for a closed order that moves no status (a late payment still confirming, or MixPay
    // refunding it as overtime) is kept in the history so the operator sees it.
    if (LATE_STATUSES.has(order.status) && (verdict.kind === 'pending' || (verdict.kind === 'failed' && verdict.paymentAmount))) {
      await recordLateNews(deps, order, verdict, trigger, detail);
    }
    return applySettlement(deps, order, result, verdict);
  }
  const patch: OrderPatch = { mixpay_trace_id: result.traceId ? storedTrace(result.traceId) : order.mixpay_trace_id };
  Object.assign(patch, settlementPatch(order, result), progressPatch(order, result));
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
  const late = isLatePayment(order.status, to);
  if (late) patch.late_payment = 1;
  // A success below what was payable is PAID all the same (seed 003 checks the quote), but the
  // operator sees it: a flag on the order and a line in its history (issue 13 §13).
  const underpaid = to === 'PAID' && verdict.kind === 'paid' ? verdict.underpaid : undefined;
  if (underpaid) patch.underpaid = 1;
  // The operator's history line goes with the move, in its transaction: never a PAID order without it.
  const note = underpaid ? { reason: 'underpaid', detail: underpaid } : undefined;
  const applied = await transitionOrder(deps.store.db, order.id, to, `${trigger}:${verdict.kind}${hold}${late ? ':late' : ''}`, patch, detail, deps.now(), note ? { note } : {});
  if (applied.changed) {
    return { kind: 'changed', order: applied.order, verdict };
  }
  // Someone else moved the order first; settlement data may still be new to it.
  return applySettlement(deps, applied.order, result, verdict);
}

/**
 * The order's result from `/payments_result`, asked by our own orderId and payee (the callback's
 * traceId is untrusted input). An answer that is not a usable result (issue 13 §8: `success:false`
 * other than "no such payment", a result without its status or the fields the MUST checks read)
 * throws UnusableResultError, a retry-later failure: the callback asks MixPay to call again and
 * the reconciler tries later, instead of taking it for "nothing happened".
 */
async function fetchUsableResult(deps: SyncDeps, order: Order): Promise<PaymentResult> {
  let result: PaymentResult;
  try {
    result = await deps.mixpay.getPaymentResult({ orderId: order.mixpay_order_id, payeeId: order.payee_id }, ['payment', 'transactions']);
  } catch (error) {
    if (error instanceof MixPayApiError && !NO_SUCH_PAYMENT_CODES.has(Number(error.code))) {
      throw new UnusableResultError(`MixPay GET /payments_result answered HTTP ${error.httpStatus} without a result (${error.message})`);
    }
    throw error;
  }
  const problem = unusableResult(result);
  if (problem) throw new UnusableResultError(`MixPay GET /payments_result answered without a usable result: ${problem}`);
  return result;
}

/** A traceId as an order stores it: a UUID in its canonical spelling (core/ids.ts), anything else as given. */
function storedTrace(traceId: string): string {
  return canonicalUuid(traceId) ?? traceId;
}

/**
 * The spellings under which a UUID may have been stored: canonical (what is written now), upper
 * case, and without dashes in either case (link codes are kept as MixPay gave them; traces stored
 * before they were canonical). A value that is not a UUID is only itself (core/ids.ts).
 */
function storedSpellings(id: string): string[] {
  const canonical = canonicalUuid(id);
  if (canonical === null) return [id];
  const bare = canonical.replace(/-/g, '');
  return [...new Set([id, canonical, canonical.toUpperCase(), bare, bare.toUpperCase()])];
}

/**
 * True when another order is known by this payment traceId (its stored trace or its link code),
 * by the one id rule: an upper-case or undashed spelling of another order's trace is that trace
 * (issue 13 §3). Equality on the spellings keeps the indexes of 004 in use.
 */
async function tracedElsewhere(deps: SyncDeps, order: Order, traceId: string): Promise<boolean> {
  const spellings = storedSpellings(traceId);
  const other = await deps.store.db
    .selectFrom('orders')
    .select(['id', 'mixpay_trace_id', 'mixpay_code'])
    .where('id', '!=', order.id)
    .where((eb) => eb.or([eb('mixpay_trace_id', 'in', spellings), eb('mixpay_code', 'in', spellings)]))
    .executeTakeFirst();
  return other !== undefined;
}

/**
 * Stores settlement data that arrived without a status change (the `settle` event on a PAID order)
 * and, on a PAID order, queues an `order.settled` notification with it: the merchant learns what
 * reached its wallet. Data, history line and outbox row commit together, as a transition's do.
 */
async function applySettlement(deps: SyncDeps, order: Order, result: PaymentResult, verdict: Verdict): Promise<SyncOutcome> {
  const progressed = await applyProgress(deps, order, result);
  const patch = settlementPatch(progressed ?? order, result);
  if (Object.keys(patch).length === 0) return progressed ? { kind: 'changed', order: progressed, verdict } : { kind: 'unchanged', order, verdict };
  const now = deps.now();
  const updated = await deps.store.db.transaction().execute(async (trx) => {
    await patchOrder(trx, order.id, patch, now);
    await recordEvent(trx, order.id, order.status, order.status, 'settle', { settleStatus: result.settleStatus, settleAmount: result.settleAmount, settleAsset: result.settleAsset }, now);
    const fresh = (await trx.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirst()) as Order | undefined;
    if (fresh?.status === 'PAID') await queueNotification(trx, fresh, fresh.status);
    return fresh;
  });
  return { kind: 'changed', order: updated ?? order, verdict };
}

/**
 * Stores news that moves no status (another confirmation, a transaction seen): the customer's
 * status document changes, so the version grows and every process hears of it. Undefined when
 * nothing is new.
 */
async function applyProgress(deps: SyncDeps, order: Order, result: PaymentResult): Promise<Order | undefined> {
  const patch = progressPatch(order, result);
  if (Object.keys(patch).length === 0) return undefined;
  return deps.store.db.transaction().execute(async (trx) => {
    // patchOrder bumps the version and announces it to every process's change feed.
    await patchOrder(trx, order.id, patch, deps.now());
    return (await trx.selectFrom('orders').selectAll().where('id', '=', order.id).executeTakeFirstOrThrow()) as Order;
  });
}

async function recordLateNews(deps: SyncDeps, order: Order, verdict: Verdict, trigger: string, detail: unknown): Promise<void> {
  await recordOnce(deps, order, `${trigger}:${verdict.kind}:late`, detail);
}

/** A history line that says the same thing only once per order. */
async function recordOnce(deps: SyncDeps, order: Order, reason: string, detail: unknown): Promise<void> {
  const seen = await deps.store.db
    .selectFrom('order_events')
    .select('id')
    .where('order_id', '=', order.id)
    .where('reason', '=', reason)
    .executeTakeFirst();
  if (!seen) await recordEvent(deps.store.db, order.id, order.status, order.status, reason, detail, deps.now());
}

/** True when the payee bot's snapshots hold a transfer in the order's settlement asset for this payment. */
export async function incomeSeen(deps: Pick<SyncDeps, 'store'>, order: Order, traceId: string | null | undefined): Promise<boolean> {
  const given = traceId || order.mixpay_trace_id || '';
  const trace = canonicalUuid(given) ?? given.toLowerCase();
  if (!trace) return false;
  const row = await deps.store.db
    .selectFrom('income_snapshots')
    .select('snapshot_id')
    .where('payment_trace_id', '=', trace)
    .where('asset_id', '=', order.settlement_asset_id)
    .executeTakeFirst();
  return row !== undefined;
}
