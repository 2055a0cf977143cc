import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { underpaymentOf, unusableResult, verifyPaymentResult, type ExpectedPayment } from '../../server/mixpay/verify-result.ts';
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
    // Spellings a decimal parser forgives but MixPay never writes: not an amount we can vouch for.
    ['an amount in exponent form', { quoteAmount: '1.999e1' }, 'quoteAmount'],
    ['an amount in exponent form without a leading digit', { quoteAmount: '.1999e2' }, 'quoteAmount'],
    ['an amount with a plus sign', { quoteAmount: '+19.99' }, 'quoteAmount'],
    ['an amount with a leading zero', { quoteAmount: '019.99' }, 'quoteAmount'],
    ['an amount with a trailing space', { quoteAmount: '19.99 ' }, 'quoteAmount'],
    ['a hexadecimal amount', { quoteAmount: '0x13' }, 'quoteAmount'],
    ['an amount inside an array', { quoteAmount: ['19.99'] as unknown as string }, 'quoteAmount'],
    ['an amount as an object', { quoteAmount: { toString: () => '19.99' } as unknown as string }, 'quoteAmount'],
    ['a quote asset with a space', { quoteAssetId: ' usd' }, 'quoteAssetId'],
    ['a payee that differs only in where its dashes are', { payeeId: 'a0d7791408776b47eb1dd3f94ed15d6a-' }, 'payeeId'],
    ['a payee with dashes out of place', { payeeId: 'a0d7-7914-0877-6b47-eb1dd3f94ed15d6a' }, 'payeeId'],
    ['a payee with a space', { payeeId: ' a0d77914-0877-6b47-eb1d-d3f94ed15d6a' }, 'payeeId'],
    ['a payee inside an array', { payeeId: ['a0d77914-0877-6b47-eb1d-d3f94ed15d6a'] as unknown as string }, 'payeeId'],
  ];
  for (const [name, overrides, field] of tampered) {
    test(`a success with ${name} is a mismatch, never paid`, () => {
      const verdict = verifyPaymentResult(expected, result(overrides));
      assert.equal(verdict.kind, 'mismatch');
      assert.equal(verdict.kind === 'mismatch' && verdict.field, field);
    });
  }

  test('the amount as a JSON number still matches; payee ids in upper case still match', () => {
    assert.equal(verifyPaymentResult(expected, result({ quoteAmount: 19.99 as unknown as string })).kind, 'paid');
    assert.equal(verifyPaymentResult(expected, result({ payeeId: 'A0D77914-0877-6B47-EB1D-D3F94ED15D6A' })).kind, 'paid');
    assert.equal(verifyPaymentResult({ ...expected, payeeId: 'a0d7791408776b47eb1dd3f94ed15d6a' }, result()).kind, 'paid');
  });

  test('a quote asset UUID in upper case or without dashes is the same asset, not a mismatch (issue 13 §9)', () => {
    const usdt = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
    const priced = { ...expected, quoteAssetId: usdt };
    for (const spelling of [usdt, usdt.toUpperCase(), usdt.replace(/-/g, ''), usdt.replace(/-/g, '').toUpperCase()]) {
      assert.equal(verifyPaymentResult(priced, result({ quoteAssetId: spelling })).kind, 'paid', spelling);
      // And the other way round: an order that stored the asset in another spelling.
      assert.equal(verifyPaymentResult({ ...expected, quoteAssetId: spelling }, result({ quoteAssetId: usdt })).kind, 'paid', spelling);
    }
    // A moved dash or another asset is still not ours.
    assert.equal(verifyPaymentResult(priced, result({ quoteAssetId: '4d8c508b91c5-375b-92b0-ee702ed2dac5' })).kind, 'mismatch');
    assert.equal(verifyPaymentResult(priced, result({ quoteAssetId: '4d8c508b-91c5-375b-92b0-ee702ed2dac6' })).kind, 'mismatch');
  });

  test('an id that is not a UUID (a multisig payee) must match exactly', () => {
    const multisig = { ...expected, payeeId: 'ms-abc-def' };
    assert.equal(verifyPaymentResult(multisig, result({ payeeId: 'ms-abc-def' })).kind, 'paid');
    assert.equal(verifyPaymentResult(multisig, result({ payeeId: 'msabc-def' })).kind, 'mismatch');
    assert.equal(verifyPaymentResult(multisig, result({ payeeId: 'msabcdef' })).kind, 'mismatch');
  });

  test('a result that names another order is a mismatch', () => {
    const ours = { ...expected, orderId: 'order-1' };
    assert.equal(verifyPaymentResult(ours, result()).kind, 'paid');
    assert.equal(verifyPaymentResult(ours, result({ orderId: 'order-1' } as never)).kind, 'paid');
    const other = verifyPaymentResult(ours, result({ orderId: 'order-2' } as never));
    assert.equal(other.kind === 'mismatch' && other.field, 'orderId');
  });

  test('a success whose payment says it is not fully paid is not paid', () => {
    const partial = verifyPaymentResult(expected, result({ payment: { isMultiPay: true, isFullyPaid: false, totalTransactionsAmount: '5' } }));
    assert.equal(partial.kind, 'pending');
    assert.equal(verifyPaymentResult(expected, result({ payment: { isMultiPay: true, isFullyPaid: true, totalTransactionsAmount: '19.99' } })).kind, 'paid');
    assert.equal(verifyPaymentResult(expected, result({ payment: { isMultiPay: false, isFullyPaid: false, totalTransactionsAmount: '19.99' } })).kind, 'paid');
  });

  test('status words other than lowercase success are not paid', () => {
    for (const status of ['SUCCESS', 'Success', 'success ', ' success', 'paid', '', null]) {
      assert.equal(verifyPaymentResult(expected, result({ status: status as never })).kind, 'unpaid', String(status));
    }
  });

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

describe('usable results and underpayments (issue 13 §8, §13)', () => {
  test('a result is usable with a known status and the fields the MUST checks read', () => {
    assert.equal(unusableResult(result()), null);
    assert.equal(unusableResult(result({ status: 'unpaid', paymentAmount: '' })), null);
    assert.equal(unusableResult(result({ status: 'auditing' })), null);
    assert.equal(unusableResult(result({ quoteAmount: 19.99 as unknown as string })), null);
    // A mismatching value is usable: verifyPaymentResult judges it.
    assert.equal(unusableResult(result({ payeeId: 'someone-else' })), null);
    for (const broken of [null, [], 'success', {}, result({ status: 'refunded' as never }), result({ status: 'SUCCESS' as never }), result({ payeeId: undefined as never }), result({ quoteAssetId: '' }), result({ quoteAmount: null as never })]) {
      assert.equal(typeof unusableResult(broken), 'string', JSON.stringify(broken)?.slice(0, 80));
    }
  });

  test('a success below what was payable, in the same asset, is an underpayment; other assets are never compared', () => {
    const usdt = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
    assert.equal(underpaymentOf(expected, result()), null);
    assert.deepEqual(underpaymentOf(expected, result({ paymentAmount: '1', payableAmount: '19.99' })), { paymentAmount: '1', payableAmount: '19.99', asset: usdt });
    assert.equal(verifyPaymentResult(expected, result({ paymentAmount: '1' })).kind, 'paid', 'still PAID (seed 003)');
    assert.ok((verifyPaymentResult(expected, result({ paymentAmount: '1' })) as { underpaid?: unknown }).underpaid);
    // More than payable, or the same written differently, is not short.
    assert.equal(underpaymentOf(expected, result({ paymentAmount: '20' })), null);
    assert.equal(underpaymentOf(expected, result({ paymentAmount: '19.990' })), null);
    // The multi-pay total wins over the last transfer.
    assert.equal(underpaymentOf(expected, result({ paymentAmount: '5', payment: { isMultiPay: true, isFullyPaid: true, totalTransactionsAmount: '19.99' } })), null);
    // Payable in another asset than the payment: nothing to compare.
    assert.equal(underpaymentOf(expected, result({ paymentAmount: '1', payableAssetId: 'c6d0c728-2624-429b-8e0d-d9d19b6592fa' })), null);
    // No payable amount: compared with the quote only when the payment asset is the quote asset.
    assert.equal(underpaymentOf(expected, result({ paymentAmount: '1', payableAmount: '' })), null);
    const inUsdt = { ...expected, quoteAssetId: usdt.toUpperCase() };
    assert.deepEqual(underpaymentOf(inUsdt, result({ quoteAssetId: usdt, paymentAmount: '1', payableAmount: '' })), { paymentAmount: '1', payableAmount: '19.99', asset: usdt });
  });
});
