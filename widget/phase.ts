import type { OrderStatusName } from './order-status.ts';

/**
 * What the customer sees, derived from the order and the element's own progress. The names are
 * also the keys of the status lines in the string tables.
 */
export type Phase =
  | 'idle' | 'creating' | 'linkOnly' | 'awaiting' | 'pending' | 'paidLess' | 'paid' | 'failed'
  | 'expired' | 'canceled' | 'refundPending' | 'refunded' | 'unreachable' | 'busy' | 'error';

const RENAMED: Partial<Record<OrderStatusName, Phase>> = {
  NEW: 'awaiting',
  UNRESOLVED: 'paidLess',
  RESOLVED: 'paid', // the merchant accepted an underpayment: the customer is done
  REFUND_PENDING: 'refundPending',
};

/** The phase shown for an order status (the other statuses keep their name, in lower case). */
export function orderPhase(status: OrderStatusName): Phase {
  return RENAMED[status] ?? (status.toLowerCase() as Phase);
}

/** Phases after which a click starts a fresh checkout rather than reopening the dialog. */
export function startsOver(phase: Phase): boolean {
  return /^(idle|error|expired|failed|canceled|linkOnly)$/.test(phase);
}
