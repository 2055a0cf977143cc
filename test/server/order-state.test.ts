import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canTransition, FINAL_STATUSES, statusForVerdict } from '../../server/merchant/order-state.ts';

describe('order state machine', () => {
  test('the happy path NEW → PENDING → PAID', () => {
    assert.equal(statusForVerdict('NEW', { kind: 'pending', paymentAmount: '1', paymentSymbol: 'USDT' }), 'PENDING');
    assert.equal(statusForVerdict('PENDING', { kind: 'paid', paymentAmount: '1', paymentSymbol: 'USDT' }), 'PAID');
  });

  test('the same news twice changes nothing the second time', () => {
    assert.equal(statusForVerdict('PAID', { kind: 'paid', paymentAmount: '1', paymentSymbol: 'USDT' }), null);
    assert.equal(statusForVerdict('PENDING', { kind: 'pending', paymentAmount: '1', paymentSymbol: 'USDT' }), null);
  });

  test('older news never moves a final order back', () => {
    assert.equal(statusForVerdict('PAID', { kind: 'pending', paymentAmount: '1', paymentSymbol: 'USDT' }), null);
    assert.equal(statusForVerdict('PAID', { kind: 'failed', reason: 'x', overtime: false, paymentAmount: '', paymentSymbol: '' }), null);
    assert.equal(statusForVerdict('FAILED', { kind: 'paid', paymentAmount: '1', paymentSymbol: 'USDT' }), null);
  });

  test('mismatch and unpaid verdicts change nothing', () => {
    assert.equal(statusForVerdict('NEW', { kind: 'mismatch', field: 'quoteAmount', expected: '1', actual: '0.01' }), null);
    assert.equal(statusForVerdict('NEW', { kind: 'unpaid' }), null);
  });

  test('a late payment after expiry is recorded as PAID, not dropped', () => {
    assert.equal(statusForVerdict('EXPIRED', { kind: 'paid', paymentAmount: '1', paymentSymbol: 'USDT' }), 'PAID');
  });

  test('final statuses have no way back to waiting (EXPIRED and CANCELED only by a late payment)', () => {
    assert.equal(canTransition('EXPIRED', 'NEW'), false);
    assert.equal(canTransition('EXPIRED', 'PENDING'), false);
    assert.equal(canTransition('EXPIRED', 'UNRESOLVED'), true);
    for (const status of [...FINAL_STATUSES].filter((s) => s !== 'EXPIRED' && s !== 'CANCELED')) {
      for (const waiting of ['NEW', 'PENDING', 'UNRESOLVED'] as const) assert.equal(canTransition(status, waiting), false, `${status}→${waiting}`);
    }
  });
});
