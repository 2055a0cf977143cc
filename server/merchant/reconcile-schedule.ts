/**
 * When the reconciler next asks MixPay about an order (pure). Callbacks are the fast path; these
 * checks make sure an order settles even when every callback is lost, while spending few of the
 * 60 calls a minute MixPay allows:
 *
 * - waiting (NEW, PENDING, UNRESOLVED): 1, 2, 5, 10, 20, 30 minutes after each check, then hourly;
 *   an unpaid order is also checked right when its grace window ends, and expired only then;
 * - closed unpaid (EXPIRED, CANCELED): a late payment can still arrive, so 10 minutes, 1 hour,
 *   6 hours and 24 hours after the link lapsed, then never;
 * - PAID but not yet settled: 2 minutes, 10 minutes, 1 hour, 6 hours, then never;
 * - anything else: never.
 */
import type { OrderStatus } from '../store/schema.ts';
import { AWAITING_STATUSES, LATE_STATUSES } from './order-state.ts';

const MINUTE = 60_000;
export const AWAITING_DELAYS_MS = [1, 2, 5, 10, 20, 30, 60].map((m) => m * MINUTE);
export const LATE_DELAYS_MS = [10, 60, 360, 1440].map((m) => m * MINUTE);
export const SETTLE_DELAYS_MS = [2, 10, 60, 360].map((m) => m * MINUTE);

/** `check_count` of an order whose status just changed: the reconciler reschedules it without calling MixPay. */
export const RESCHEDULE = -1;

export interface ScheduledOrder {
  status: OrderStatus;
  settle_status: string | null;
  expires_at: number;
}

/**
 * The next check time for `order` after `checks` checks since its last status change, or null when
 * there is nothing left to learn.
 */
export function nextCheckAt(order: ScheduledOrder, checks: number, now: number, graceMs: number): number | null {
  const expiryCheck = order.expires_at + graceMs;
  if (AWAITING_STATUSES.has(order.status)) {
    const next = now + AWAITING_DELAYS_MS[Math.min(checks, AWAITING_DELAYS_MS.length - 1)]!;
    // A payment confirming (PENDING) never expires; the others get one last look at the deadline,
    // or at once when it has passed (that look either expires the order or changes its status).
    if (order.status === 'PENDING') return next;
    return now < expiryCheck ? Math.min(next, expiryCheck) : now;
  }
  if (LATE_STATUSES.has(order.status)) {
    const delay = LATE_DELAYS_MS[checks];
    if (delay === undefined) return null;
    return (checks === 0 ? Math.max(now, expiryCheck) : now) + delay;
  }
  if (order.status === 'PAID' && order.settle_status !== 'success') {
    const delay = SETTLE_DELAYS_MS[checks];
    return delay === undefined ? null : now + delay;
  }
  return null;
}

/** True once an unpaid order's grace window has passed and it may be expired after one more check. */
export function pastGrace(order: ScheduledOrder, now: number, graceMs: number): boolean {
  return now >= order.expires_at + graceMs;
}
