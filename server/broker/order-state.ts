/**
 * The broker order's state machine, with no I/O. Every status change in the store goes through
 * `transitionBrokerOrder` (order-store.ts), which refuses any move `canMove` does not allow; a
 * wallet's word about payment is turned into the next step by `afterPayment`.
 *
 *   CREATING ──► OPEN ──wallet paid by expired_at──► PAID ──transfer──► SETTLED
 *     │  ▲        │  ╲                                 │                  │
 *     ▼  │        │   ╲─wallet paid late─► LATE_PAID   └──RF memo──► MIXPAY_REFUNDED ◄─┘
 *    FAILED       ▼                           │                          │
 *   (retry)     CLOSED ──paid──► PAID | LATE_PAID                        │
 *                                             └──wallet refund──► REFUNDED ◄┘
 *
 * A retry that takes over a reservation whose request died is not a move: the order stays
 * CREATING and only its version is bumped (`takeOverCreation`).
 */
import type { BrokerOrderStatus } from '../store/schema.ts';

export const BROKER_ORDER_STATUSES: readonly BrokerOrderStatus[] = ['CREATING', 'FAILED', 'OPEN', 'CLOSED', 'PAID', 'SETTLED', 'LATE_PAID', 'MIXPAY_REFUNDED', 'REFUNDED'];

const MOVES: Record<BrokerOrderStatus, readonly BrokerOrderStatus[]> = {
  CREATING: ['OPEN', 'FAILED'],
  FAILED: ['CREATING'],
  OPEN: ['PAID', 'LATE_PAID', 'CLOSED'],
  // A wallet may close an order and still report a late payment for it.
  CLOSED: ['PAID', 'LATE_PAID'],
  PAID: ['SETTLED', 'MIXPAY_REFUNDED'],
  SETTLED: ['MIXPAY_REFUNDED'],
  LATE_PAID: ['REFUNDED'],
  MIXPAY_REFUNDED: ['REFUNDED'],
  REFUNDED: [],
};

export function canMove(from: BrokerOrderStatus, to: BrokerOrderStatus): boolean {
  return MOVES[from].includes(to);
}

/**
 * Statuses whose `amount` the bot has promised to MixPay and must keep in its balance. A paid
 * order holds it until the transfer; an order being created or open only until it expires, so a
 * request that died mid-creation does not hold the balance forever.
 */
export function holdsBalance(status: BrokerOrderStatus, expiredAt: number, now: number): boolean {
  if (status === 'PAID') return true;
  return (status === 'CREATING' || status === 'OPEN') && expiredAt > now;
}

export type PaymentOutcome =
  | { kind: 'settle'; to: 'PAID' }
  | { kind: 'refund'; to: 'LATE_PAID'; reason: string }
  | { kind: 'ignore'; reason: string };

/**
 * Seed 000: a payment made by expired_at is settled to MixPay; one made after it is refunded
 * to the customer by the broker, since MixPay would refund a late transfer anyway.
 */
export function afterPayment(status: BrokerOrderStatus, expiredAt: number, paidAt: number): PaymentOutcome {
  if (status !== 'OPEN' && status !== 'CLOSED') return { kind: 'ignore', reason: `order is ${status}` };
  if (paidAt <= expiredAt) return { kind: 'settle', to: 'PAID' };
  return { kind: 'refund', to: 'LATE_PAID', reason: 'paid after expired_at' };
}

/** Delay before a failed job's next attempt: 1 s doubling to a 5-minute ceiling. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}
