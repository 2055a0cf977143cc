/**
 * The order state machine, pure. Statuses are MugglePay's words (contracts §5) plus FAILED.
 * A transition is applied once: the same news twice yields no change the second time.
 */
import type { OrderStatus } from '../store/schema.ts';
import type { Verdict } from '../mixpay/verify-result.ts';

export const FINAL_STATUSES: ReadonlySet<OrderStatus> = new Set(['PAID', 'FAILED', 'EXPIRED', 'CANCELED', 'REFUNDED', 'RESOLVED']);

/** Statuses in which the order still waits for a payment result. */
export const AWAITING_STATUSES: ReadonlySet<OrderStatus> = new Set(['NEW', 'PENDING', 'UNRESOLVED']);

const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
  NEW: ['PENDING', 'UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED', 'CANCELED'],
  PENDING: ['UNRESOLVED', 'PAID', 'FAILED', 'EXPIRED'],
  UNRESOLVED: ['PENDING', 'PAID', 'FAILED', 'EXPIRED', 'RESOLVED'],
  // A payment that lands after expiry is still money received: record it, never drop it.
  EXPIRED: ['PAID', 'UNRESOLVED'],
  PAID: ['REFUND_PENDING'],
  FAILED: [],
  CANCELED: [],
  RESOLVED: [],
  REFUND_PENDING: ['REFUNDED'],
  REFUNDED: [],
};

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The status a verified payment result moves the order to, or null when it changes nothing. */
export function statusForVerdict(current: OrderStatus, verdict: Verdict): OrderStatus | null {
  const target: OrderStatus | null =
    verdict.kind === 'paid'
      ? 'PAID'
      : verdict.kind === 'pending'
        ? 'PENDING'
        : verdict.kind === 'paid_less'
          ? 'UNRESOLVED'
          : verdict.kind === 'failed'
            ? 'FAILED'
            : null;
  if (target === null || target === current) return null;
  return canTransition(current, target) ? target : null;
}
