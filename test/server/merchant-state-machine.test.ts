/**
 * The order state machine, exhaustively: every (from, to) pair against one explicit table, and
 * every verdict from every status.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canCancel,
  canTransition,
  expiresAfterCheck,
  FINAL_STATUSES,
  isLatePayment,
  ORDER_STATUSES,
  statusForVerdict,
} from '../../server/merchant/order-state.ts';
import type { Verdict } from '../../server/mixpay/verify-result.ts';
import type { OrderStatus } from '../../server/store/schema.ts';

/** The whole machine written out once more, by hand, so a change to ALLOWED must change this too. */
const EXPECTED: Record<OrderStatus, OrderStatus[]> = {
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

const verdicts: Record<string, Verdict> = {
  paid: { kind: 'paid', paymentAmount: '10', paymentSymbol: 'USDT' },
  pending: { kind: 'pending', paymentAmount: '10', paymentSymbol: 'USDT' },
  paid_less: { kind: 'paid_less', paidAmount: '4', amountDue: '6', paymentSymbol: 'USDT' },
  failed: { kind: 'failed', reason: 'Wrong asset paid', overtime: false, paymentAmount: '10', paymentSymbol: 'BTC' },
  overtime: { kind: 'failed', reason: 'Payment overtime', overtime: true, paymentAmount: '', paymentSymbol: '' },
  unpaid: { kind: 'unpaid' },
  mismatch: { kind: 'mismatch', field: 'quoteAmount', expected: '10', actual: '0.01' },
};

/** What each verdict does from each status: the target, or null for "no change". */
const BY_VERDICT: Record<OrderStatus, Record<keyof typeof verdicts, OrderStatus | null>> = {
  NEW: { paid: 'PAID', pending: 'PENDING', paid_less: 'UNRESOLVED', failed: 'FAILED', overtime: 'EXPIRED', unpaid: null, mismatch: null },
  PENDING: { paid: 'PAID', pending: null, paid_less: 'UNRESOLVED', failed: 'FAILED', overtime: 'EXPIRED', unpaid: null, mismatch: null },
  UNRESOLVED: { paid: 'PAID', pending: 'PENDING', paid_less: null, failed: 'FAILED', overtime: 'EXPIRED', unpaid: null, mismatch: null },
  EXPIRED: { paid: 'PAID', pending: null, paid_less: 'UNRESOLVED', failed: null, overtime: null, unpaid: null, mismatch: null },
  CANCELED: { paid: 'PAID', pending: null, paid_less: 'UNRESOLVED', failed: null, overtime: null, unpaid: null, mismatch: null },
  PAID: { paid: null, pending: null, paid_less: null, failed: null, overtime: null, unpaid: null, mismatch: null },
  FAILED: { paid: null, pending: null, paid_less: null, failed: null, overtime: null, unpaid: null, mismatch: null },
  RESOLVED: { paid: null, pending: null, paid_less: null, failed: null, overtime: null, unpaid: null, mismatch: null },
  REFUND_PENDING: { paid: null, pending: null, paid_less: null, failed: null, overtime: null, unpaid: null, mismatch: null },
  REFUNDED: { paid: null, pending: null, paid_less: null, failed: null, overtime: null, unpaid: null, mismatch: null },
};

describe('order state machine, exhaustively', () => {
  test('the status list is complete', () => {
    assert.deepEqual([...ORDER_STATUSES].sort(), Object.keys(EXPECTED).sort());
  });

  for (const from of ORDER_STATUSES) {
    test(`transitions from ${from}`, () => {
      for (const to of ORDER_STATUSES) {
        assert.equal(canTransition(from, to), EXPECTED[from].includes(to), `${from} → ${to}`);
      }
      assert.equal(canTransition(from, from), false, 'no status moves to itself: the same news twice changes nothing');
    });

    test(`every verdict from ${from}`, () => {
      for (const [name, verdict] of Object.entries(verdicts)) {
        const to = statusForVerdict(from, verdict);
        assert.equal(to, BY_VERDICT[from][name], `${from} + ${name}`);
        if (to) assert.ok(canTransition(from, to), 'a verdict only ever points along an allowed edge');
        if (to) assert.equal(statusForVerdict(to, verdict), null, `${name} applied twice changes nothing the second time`);
      }
    });
  }

  test('no path leads from a settled or refunded order back to waiting', () => {
    for (const from of ['PAID', 'FAILED', 'RESOLVED', 'REFUND_PENDING', 'REFUNDED'] as const) {
      for (const to of ['NEW', 'PENDING', 'UNRESOLVED'] as const) assert.equal(canTransition(from, to), false, `${from} → ${to}`);
    }
  });

  test('money arriving after expiry or cancel is a late payment; nothing else is', () => {
    const late: Array<[OrderStatus, OrderStatus]> = [];
    for (const from of ORDER_STATUSES) for (const to of ORDER_STATUSES) if (isLatePayment(from, to)) late.push([from, to]);
    assert.deepEqual(late, [
      ['EXPIRED', 'PAID'],
      ['EXPIRED', 'UNRESOLVED'],
      ['CANCELED', 'PAID'],
      ['CANCELED', 'UNRESOLVED'],
    ]);
  });

  test('expiry after the grace window: never while a payment is confirming or paid', () => {
    const cases: Array<[OrderStatus, keyof typeof verdicts, boolean]> = [
      ['NEW', 'unpaid', true],
      ['NEW', 'mismatch', true],
      ['NEW', 'pending', false],
      ['NEW', 'paid', false],
      ['UNRESOLVED', 'paid_less', true],
      ['PENDING', 'pending', false],
      ['PENDING', 'unpaid', true],
      ['PAID', 'unpaid', false],
      ['EXPIRED', 'unpaid', false],
      ['CANCELED', 'unpaid', false],
      ['FAILED', 'unpaid', false],
    ];
    for (const [status, verdict, expected] of cases) {
      assert.equal(expiresAfterCheck(status, verdicts[verdict]!), expected, `${status} + ${verdict}`);
    }
  });

  test('only NEW orders can be canceled', () => {
    assert.deepEqual(ORDER_STATUSES.filter(canCancel), ['NEW']);
  });

  test('final statuses end the customer\'s wait', () => {
    for (const status of FINAL_STATUSES) assert.equal(['NEW', 'PENDING', 'UNRESOLVED'].includes(status), false);
  });
});
