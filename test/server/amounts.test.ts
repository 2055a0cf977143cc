import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decimalString, isDecimal, sameAmount, subtractAmounts } from '../../server/core/amounts.ts';

describe('decimal amounts', () => {
  test('equal amounts written differently are the same', () => {
    assert.equal(sameAmount('10', '10.00000000'), true);
    assert.equal(sameAmount('0.1', '0.10'), true);
    assert.equal(sameAmount('19.99', '19.990'), true);
  });

  test('amounts a float would blur stay different', () => {
    // 0.1 + 0.2 !== 0.3 in floats; as decimals these are exact.
    assert.equal(sameAmount('0.30000000000000004', '0.3'), false);
    assert.equal(sameAmount('19.99', '19.98999999'), false);
    assert.equal(sameAmount('1000', '0.01'), false);
    assert.equal(sameAmount('9007199254740993', '9007199254740992'), false);
  });

  test('garbage never equals anything', () => {
    for (const bad of ['', 'abc', 'NaN', 'Infinity', '1e', '--1']) assert.equal(sameAmount(bad, '1'), false, bad);
    assert.equal(sameAmount(null, '1'), false);
    assert.equal(sameAmount(undefined, undefined), false);
  });

  test('subtraction is exact', () => {
    assert.equal(subtractAmounts('10.00', '3.33'), '6.67');
    assert.equal(subtractAmounts('0.3', '0.1'), '0.2');
    assert.equal(subtractAmounts('x', '1'), null);
  });

  test('isDecimal accepts plain decimals with at most 8 places', () => {
    for (const ok of ['0', '1', '9.99', '0.00000001', '123456789.12345678']) assert.equal(isDecimal(ok), true, ok);
    for (const bad of ['01', '1.', '.5', '-1', '1e3', '0.000000001', ' 1', '1,5']) assert.equal(isDecimal(bad), false, bad);
  });

  test('decimalString accepts MugglePay numbers and strings, normalising them', () => {
    assert.equal(decimalString.parse(9.99), '9.99');
    assert.equal(decimalString.parse('10.50'), '10.5');
    assert.equal(decimalString.parse(1e-7), '0.0000001');
    assert.equal(decimalString.safeParse(0).success, false);
    assert.equal(decimalString.safeParse('-1').success, false);
    assert.equal(decimalString.safeParse(Number.NaN).success, false);
    assert.equal(decimalString.safeParse('1.123456789').success, false);
  });
});
