/**
 * The order state machine, pure. Statuses are MugglePay's words (contracts §5) plus FAILED.
 * A transition is applied once: the same news twice yields no change the second time.
 *
 *   NEW ──► PENDING ──► PAID ──► REFUND_PENDING ──► REFUNDED
 *    │  ╲      │   ▲
 *    │   ╲     ▼   │
 *    │    ► UNRESOLVED ──► RESOLVED        (paid less; the amount still due is stored)
 *    ├──► FAILED                           (MixPay says the payment failed)
 *    ├──► EXPIRED ──► PAID | UNRESOLVED    (past expiry + grace; a late payment is still recorded)
 *    └──► CANCELED ─► PAID | UNRESOLVED    (by the merchant; the one-time link cannot be revoked)
 *
 * Every status change goes through `transitionOrder` (order-store.ts), which refuses any move
 * this table does not allow. RESOLVED, REFUND_PENDING and REFUNDED are MugglePay's words and
 * stay in the table, but no code path reaches them today: they wait for an operator's action
 * (mark an underpaid order RESOLVED, record a refund made in the Mixin wallet). The broker half
 * uses the same words for the same ideas (docs/architecture.md).
 */
import type { OrderStatus } from '../store/schema.ts';
import type { Verdict } from '../mixpay/verify-result.ts';

export const ORDER_STATUSES: readonly OrderStatus[] = [
  'NEW',
  'PENDING',
  'PAID',
  'UNRESOLVED',
  'RESOLVED',
  'EXPIRED',
  'CANCELED',
  'FAILED',
  'REFUND_PENDING',
  'REFUNDED',
];

/** Statuses after which the customer has nothing left to do (the status stream ends there). */
export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['PAID', 'FAILED', 'EXPIRED', 'CANCELED', 'REFUNDED', 'RESOLVED']);

/** Statuses in which the order still waits for a payment result. */
export const AWAITING_STATUSES: ReadonlySet<OrderStatus> = new Set(['NEW', 'PENDING', 'UNRESOLVED']);

/**
 * Closed without a payment, yet money may still arrive: MixPay's one-time link stays payable until
 * it lapses and confirmations can finish late. Such news is recorded and reported, never dropped.
 */
export const LATE_STATUSES: ReadonlySet<OrderStatus> = new Set(['EXPIRED', 'CANCELED']);

const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  NEW: ['PENDING', 'UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED', 'CANCELED'],
  PENDING: ['UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED'],
  UNRESOLVED: ['PENDING', 'PAID', 'FAILED', 'EXPIRED', 'RESOLVED'],
  EXPIRED: ['PAID', 'UNRESOLVED'],
  CANCELED: ['PAID', 'UNRESOLVED'],
  PAID: ['REFUND_PENDING'],
  FAILED: [],
  RESOLVED: [],
  REFUND_PENDING: ['REFUNDED'],
  REFUNDED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** Every status `from` may move to. */
export function nextStatuses(from: OrderStatus): readonly OrderStatus[] {
  return ALLOWED[from];
}

/** True when money reached an order that had already closed unpaid (expired or canceled). */
export function isLatePayment(from: OrderStatus, to: OrderStatus): boolean {
  return LATE_STATUSES.has(from) && (to === 'PAID' || to === 'UNRESOLVED');
}

/** The status a verdict points at, before asking whether the current status may move there. */
function targetOf(verdict: Verdict): OrderStatus | null {
  switch (verdict.kind) {
    case 'paid':
      return 'PAID';
    case 'pending':
      return 'PENDING';
    case 'paid_less':
      return 'UNRESOLVED';
    case 'failed':
      // A link that lapsed is MixPay's way of saying the order expired, not that a payment failed.
      return verdict.overtime ? 'EXPIRED' : 'FAILED';
    case 'unpaid':
    case 'mismatch':
      return null;
  }
}

/** The status a verified payment result moves the order to, or null when it changes nothing. */
export function statusForVerdict(current: OrderStatus, verdict: Verdict): OrderStatus | null {
  const target = targetOf(verdict);
  if (target === null || target === current) return null;
  return canTransition(current, target) ? target : null;
}

/**
 * After the grace window, may an order that MixPay reported as `verdict` be expired? Only when no
 * payment is on its way: a full payment waiting for confirmations (`pending`) or a success never
 * expires; an unpaid link, a partial payment or a result that is not ours does.
 */
export function expiresAfterCheck(current: OrderStatus, verdict: Verdict): boolean {
  if (!AWAITING_STATUSES.has(current) || !canTransition(current, 'EXPIRED')) return false;
  return verdict.kind === 'unpaid' || verdict.kind === 'paid_less' || verdict.kind === 'mismatch';
}

/** Only an order nobody has paid yet can be canceled by the merchant (MugglePay: "only NEW"). */
export function canCancel(current: OrderStatus): boolean {
  return current === 'NEW';
}
