/**
 * The broker order's state machine, with no I/O. Every status change in the store goes through
 * `transitionBrokerOrder` (order-store.ts), which refuses any move `canMove` does not allow; a
 * wallet's word about payment is turned into the next step by `afterPayment`.
 *
 *   CREATING ──► NEW ──paid by expired_at──► PAID ──transfer answered──► SETTLED
 *     │   ▲        │ └──paid after expired_at──► LATE_PAID ──wallet refund──► REFUNDED
 *     ▼   │        ▼                              PAID, SETTLED ──RF memo──► MIXPAY_REFUNDED
 *    FAILED      CLOSED ──paid late word──► PAID | LATE_PAID     MIXPAY_REFUNDED ──► REFUNDED
 *   (retried by the same request)
 *
 * The words are the merchant half's where the idea is the same (NEW, PAID, FAILED, REFUNDED;
 * docs/architecture.md). CLOSED is the broker's own: the wallet stopped taking payment (expired,
 * canceled or errored there) without saying which, so it is neither the merchant's EXPIRED nor
 * its CANCELED, though like both it still accepts a late payment.
 *
 * A retry that takes over a reservation whose request died is not a move: the order stays
 * CREATING and only its version is bumped (`takeOverCreation`).
 */
import type { BrokerOrderStatus } from '../store/schema.ts';

export const BROKER_ORDER_STATUSES: readonly BrokerOrderStatus[] = ['CREATING', 'FAILED', 'NEW', 'CLOSED', 'PAID', 'SETTLED', 'LATE_PAID', 'MIXPAY_REFUNDED', 'REFUNDED'];

const MOVES: Record<BrokerOrderStatus, readonly BrokerOrderStatus[]> = {
  CREATING: ['NEW', 'FAILED'],
  FAILED: ['CREATING'],
  NEW: ['PAID', 'LATE_PAID', 'CLOSED'],
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
  return (status === 'CREATING' || status === 'NEW') && expiredAt > now;
}

/**
 * What a move does to the order's hold on the balance (reservations.ts): a retried creation takes
 * it again until expired_at, a paid order keeps it until the transfer whatever the time, NEW
 * leaves it as it is, and every other status releases it (a settled order's money has left).
 */
export function holdAfterMove(to: BrokerOrderStatus): 'until_expiry' | 'until_transfer' | 'unchanged' | 'release' {
  if (to === 'CREATING') return 'until_expiry';
  if (to === 'PAID') return 'until_transfer';
  if (to === 'NEW') return 'unchanged';
  return 'release';
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
  if (status !== 'NEW' && status !== 'CLOSED') return { kind: 'ignore', reason: `order is ${status}` };
  if (paidAt <= expiredAt) return { kind: 'settle', to: 'PAID' };
  return { kind: 'refund', to: 'LATE_PAID', reason: 'paid after expired_at' };
}

/** Delay before a failed job's next attempt: 1 s doubling to a 5-minute ceiling. */
export function retryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}
