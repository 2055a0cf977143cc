import type { OrderStatusName } from './order-status.ts';

/** What the customer sees, derived from the order and the element's own progress. */
export type Phase =
  | 'idle' | 'creating' | 'link' | 'awaiting' | 'pending' | 'paid-less' | 'paid' | 'failed'
  | 'expired' | 'canceled' | 'refund-pending' | 'refunded' | 'unreachable' | 'error';

const BY_STATUS: Record<OrderStatusName, Phase> = {
  NEW: 'awaiting',
  PENDING: 'pending',
  UNRESOLVED: 'paid-less',
  PAID: 'paid',
  RESOLVED: 'paid', // the merchant accepted an underpayment: the customer is done
  FAILED: 'failed',
  EXPIRED: 'expired',
  CANCELED: 'canceled',
  REFUND_PENDING: 'refund-pending',
  REFUNDED: 'refunded',
};

/** The phase shown for an order status. */
export function phaseOf(status: OrderStatusName): Phase {
  return BY_STATUS[status];
}

/** Phases after which a click starts a fresh checkout rather than reopening the dialog. */
export function startsOver(phase: Phase): boolean {
  return phase === 'idle' || phase === 'error' || phase === 'expired' || phase === 'failed' || phase === 'canceled' || phase === 'link';
}
