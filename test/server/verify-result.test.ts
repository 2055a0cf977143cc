import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyPaymentResult, type ExpectedPayment } from '../../server/mixpay/verify-result.ts';
import type { PaymentResult } from '../../server/mixpay/types.ts';

const expected: ExpectedPayment = { payeeId: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a', quoteAmount: '19.99', quoteAssetId: 'usd' };

function result(overrides: Partial<PaymentResult> = {}): PaymentResult {
  return {
    status: 'success',
    quoteAmount: '19.99',
    quoteSymbol: 'USD',
    quoteAssetId: 'usd',
    paymentAmount: '19.99',
    paymentSymbol: 'USDT',
    paymentAssetId: '4d8c508b-91c5-375b-92b0-ee702ed2dac5',
    payee: 'Demo shop',
    payeeId: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a',
    payeeMixinNumber: '7000101422',
    txid: 'tx',
    blockExplorerUrl: '',
    date: 1_700_000_000,
    surplusAmount: '0',
    surplusStatus: 'no',
    confirmations: -1,
    payableAmount: '19.99',
    payableAssetId: '4d8c508b-91c5-375b-92b0-ee702ed2dac5',
    failureCode: '0',
    failureReason: '',
    returnTo: '',
    traceId: 'b4b2a6f0-8d2a-4c55-9f44-6a1b7f3e2c10',
    settleStatus: '',
    settleAmount: '',
    settleSymbol: '',
    settleAsset: '',
    ...overrides,
  };
}

describe('verifyPaymentResult (seed 003 MUST checks)', () => {
  test('a matching success is paid', () => {
    assert.deepEqual(verifyPaymentResult(expected, result()), { kind: 'paid', paymentAmount: '19.99', paymentSymbol: 'USDT' });
  });

  test('the same amount written differently still matches', () => {
    assert.equal(verifyPaymentResult(expected, result({ quoteAmount: '19.99000000' })).kind, 'paid');
  });

  test('fiat codes compare case-insensitively; payee ids with or without dashes', () => {
    assert.equal(verifyPaymentResult(expected, result({ quoteAssetId: 'USD' })).kind, 'paid');
    assert.equal(verifyPaymentResult(expected, result({ payeeId: 'a0d7791408776b47eb1dd3f94ed15d6a' })).kind, 'paid');
  });

  const tampered: Array<[string, Partial<PaymentResult>, string]> = [
    ['a lower amount (tampered link)', { quoteAmount: '0.01' }, 'quoteAmount'],
    ['a higher amount', { quoteAmount: '20' }, 'quoteAmount'],
    ['an amount off by one satoshi', { quoteAmount: '19.98999999' }, 'quoteAmount'],
    ['a non-numeric amount', { quoteAmount: 'lots' }, 'quoteAmount'],
    ['an empty amount', { quoteAmount: '' }, 'quoteAmount'],
    ['another quote currency', { quoteAssetId: 'eur' }, 'quoteAssetId'],
    ['a crypto quote instead of fiat', { quoteAssetId: '4d8c508b-91c5-375b-92b0-ee702ed2dac5' }, 'quoteAssetId'],
    ['another payee', { payeeId: '00000000-0000-0000-0000-000000000000' }, 'payeeId'],
    ['an empty payee', { payeeId: '' }, 'payeeId'],
    ['a missing payee', { payeeId: undefined as unknown as string }, 'payeeId'],
  ];
  for (const [name, overrides, field] of tampered) {
    test(`a success with ${name} is a mismatch, never paid`, () => {
      const verdict = verifyPaymentResult(expected, result(overrides));
      assert.equal(verdict.kind, 'mismatch');
      assert.equal(verdict.kind === 'mismatch' && verdict.field, field);
    });
  }

  test('a mismatch wins over every status', () => {
    for (const status of ['success', 'pending', 'failed', 'unpaid'] as const) {
      assert.equal(verifyPaymentResult(expected, result({ status, quoteAmount: '1' })).kind, 'mismatch', status);
    }
  });

  test('statuses other than success are not paid', () => {
    assert.equal(verifyPaymentResult(expected, result({ status: 'unpaid' })).kind, 'unpaid');
    assert.equal(verifyPaymentResult(expected, result({ status: 'pending' })).kind, 'pending');
    assert.equal(verifyPaymentResult(expected, result({ status: 'auditing' })).kind, 'pending');
    assert.equal(verifyPaymentResult(expected, result({ status: 'refunded' as never })).kind, 'unpaid');
    const failed = verifyPaymentResult(expected, result({ status: 'failed', failureCode: '40000', failureReason: 'payment overtime' }));
    assert.deepEqual(failed, { kind: 'failed', reason: 'payment overtime', overtime: true, paymentAmount: '19.99', paymentSymbol: 'USDT' });
    const wrongAsset = verifyPaymentResult(expected, result({ status: 'failed', failureCode: '40020', failureReason: 'Wrong asset paid' }));
    assert.equal(wrongAsset.kind === 'failed' && wrongAsset.overtime, false);
  });

  test('pending + multi-pay + not fully paid is paid_less, with the amount still due', () => {
    const verdict = verifyPaymentResult(
      expected,
      result({ status: 'pending', payableAmount: '19.99', payment: { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '15' } }),
    );
    assert.deepEqual(verdict, { kind: 'paid_less', paidAmount: '15', amountDue: '4.99', paymentSymbol: 'USDT' });
  });

  test('multi-pay that is fully paid but still pending is only pending', () => {
    const verdict = verifyPaymentResult(
      expected,
      result({ status: 'pending', payment: { isMultiPay: true, isFullyPaid: true, totalTransactionsAmount: '19.99' } }),
    );
    assert.equal(verdict.kind, 'pending');
  });
});
