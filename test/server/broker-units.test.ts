/** The broker's pure pieces: refund memos, the order state machine, fees and its configuration. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMixPayMemo, decodeRefundMemo, encodeMixPayMemo } from '../../server/core/mixpay-memo.ts';
import { afterPayment, canMove, holdsBalance, retryDelayMs } from '../../server/broker/order-state.ts';
import { customerTotal, parseCreateOrder } from '../../server/broker/api-schemas.ts';
import { brokerDevelopmentConfig, BrokerConfigError, loadBrokerConfig } from '../../server/broker/config.ts';
import { signAlertBody } from '../../server/broker/alerts.ts';
import { orderBody } from './broker-fixtures.ts';

describe('decodeRefundMemo', () => {
  test('decodes the seed example (contracts §1 spelling of the uuid)', () => {
    assert.deepEqual(decodeRefundMemo('UkZ8MTJjNTU1NzUtYzg1YS00YjU4LWEyNDUtNzllNmI2NzhlZWU5fDQwMDI1'), {
      traceId: '12c55575-c85a-4b58-a245-79e6b678eee9',
      code: '40025',
      reason: 'too much market volatility',
    });
  });
  test('keeps unknown and empty codes instead of dropping the refund', () => {
    const trace = '0b6d1c52-1b3c-4a57-9d59-6f8ba0c8d3a1';
    assert.deepEqual(decodeRefundMemo(encodeMixPayMemo('RF', trace, '99999')), { traceId: trace, code: '99999', reason: 'unknown reason 99999' });
    assert.equal(decodeRefundMemo(encodeMixPayMemo('RF', trace, ''))?.reason, 'no reason code');
    assert.equal(decodeRefundMemo(encodeMixPayMemo('RF', trace.toUpperCase(), '40000'))?.traceId, trace);
  });
  test('accepts base64url and ignores memos that are not MixPay refunds', () => {
    const trace = '0b6d1c52-1b3c-4a57-9d59-6f8ba0c8d3a1';
    const url = encodeMixPayMemo('RF', trace, '40000').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.equal(decodeRefundMemo(url)?.code, '40000');
    assert.equal(decodeRefundMemo(encodeMixPayMemo('PM', trace, '')), null);
    assert.equal(decodeMixPayMemo(encodeMixPayMemo('PM', trace, 'x'))?.source, 'PM');
    for (const memo of ['', null, undefined, 'hello world', 'RF|' + trace + '|40000', Buffer.from('RF|not-a-uuid|1').toString('base64'), Buffer.from('XX|' + trace + '|1').toString('base64')]) {
      assert.equal(decodeRefundMemo(memo), null, String(memo));
    }
  });
});

describe('order state', () => {
  test('a payment by expired_at settles, a later one is refunded, a repeated one is ignored', () => {
    assert.deepEqual(afterPayment('NEW', 1000, 1000), { kind: 'settle', to: 'PAID' });
    assert.equal(afterPayment('NEW', 1000, 1001).kind, 'refund');
    assert.equal(afterPayment('CLOSED', 1000, 999).kind, 'settle');
    assert.equal(afterPayment('PAID', 1000, 999).kind, 'ignore');
    assert.equal(afterPayment('SETTLED', 1000, 999).kind, 'ignore');
  });
  test('only the documented moves are allowed', () => {
    assert.ok(canMove('PAID', 'SETTLED'));
    assert.ok(canMove('SETTLED', 'MIXPAY_REFUNDED'));
    assert.ok(!canMove('REFUNDED', 'PAID'));
    assert.ok(!canMove('NEW', 'SETTLED'));
  });
  test('open, creating and paid orders hold balance; expired and settled ones do not', () => {
    assert.ok(holdsBalance('NEW', 2000, 1000));
    assert.ok(!holdsBalance('NEW', 1000, 2000));
    assert.ok(holdsBalance('PAID', 0, 2000));
    assert.ok(holdsBalance('CREATING', 3000, 2000));
    // A request that died while creating its order stops holding the balance once it expires.
    assert.ok(!holdsBalance('CREATING', 1000, 2000));
    assert.ok(!holdsBalance('SETTLED', 9999, 0));
  });
  test('retries back off from 1 s to a 5-minute ceiling', () => {
    assert.deepEqual([1, 2, 3, 4].map(retryDelayMs), [1000, 2000, 4000, 8000]);
    assert.equal(retryDelayMs(40), 300_000);
  });
});

describe('amounts and validation', () => {
  test('the customer pays amount + fee, rounded up to 8 places', () => {
    assert.deepEqual(customerTotal('10', '0.0100'), { fee: '0.1', total: '10.1' });
    assert.deepEqual(customerTotal('0.00000440', '0.0100'), { fee: '0.00000005', total: '0.00000445' });
    assert.deepEqual(customerTotal('1', '0'), { fee: '0', total: '1' });
  });
  test("what the customer pays is rounded up to the wallet currency's places, never down", () => {
    // A wallet that prices in cents: 10.123 + 1 % = 10.22423, charged 10.23 (the fee absorbs the rest).
    assert.deepEqual(customerTotal('10.123', '0.01', 2), { fee: '0.107', total: '10.23' });
    assert.deepEqual(customerTotal('10', '0.0100', 2), { fee: '0.1', total: '10.1' });
    assert.deepEqual(customerTotal('0.001', '0', 2), { fee: '0.009', total: '0.01' });
    assert.deepEqual(customerTotal('0.00000440', '0.0100', 8), { fee: '0.00000005', total: '0.00000445' });
    const config = brokerDevelopmentConfig('http://localhost:8787');
    assert.equal(config.wallets.binance!.assets['4d8c508b-91c5-375b-92b0-ee702ed2dac5']!.decimals, 8);
  });
  test('expired_at above 10^12 is milliseconds, below it seconds', () => {
    const now = 1_700_000_000_000;
    assert.equal(parseCreateOrder(orderBody(now, { expired_at: 1_700_000_900 }), now).expired_at, 1_700_000_900_000);
    assert.equal(parseCreateOrder(orderBody(now, { expired_at: '1700000900123' }), now).expired_at, 1_700_000_900_123);
  });
  test('UUIDs without dashes or in upper case are stored in canonical form', () => {
    const now = 1_700_000_000_000;
    const parsed = parseCreateOrder(orderBody(now, { payee_id: 'A0D7791408776B47EB1DD3F94ED15D6A', expired_at: 1_700_000_900 }), now);
    assert.equal(parsed.payee_id, 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a');
  });
});

describe('broker config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'broker-config-'));
  const write = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  test('broker mode is off without BROKER_CONFIG_FILE', () => {
    assert.equal(loadBrokerConfig({}), null);
  });
  test('the development config parses and points at the sandbox', () => {
    const config = brokerDevelopmentConfig('http://localhost:8787/');
    assert.equal(config.mixin.base_url, 'http://localhost:8787/sandbox/mixin');
    assert.equal(config.wallets.binance?.base_url, 'http://localhost:8787/sandbox/binance');
    const path = write('dev.json', config);
    assert.deepEqual(loadBrokerConfig({ BROKER_CONFIG_FILE: path }), config);
  });
  test('a bad config is refused naming the field', () => {
    const good = JSON.parse(JSON.stringify(brokerDevelopmentConfig('http://localhost:8787')));
    const cases: Array<[(c: any) => void, RegExp]> = [
      [(c) => (c.wallets.binance.assets['4d8c508b-91c5-375b-92b0-ee702ed2dac5'].fee = '1%'), /wallets\.binance\.assets\.4d8c508b-91c5-375b-92b0-ee702ed2dac5\.fee/],
      [(c) => (c.wallets.binance.assets['4d8c508b-91c5-375b-92b0-ee702ed2dac5'].max = '0.01'), /\.max: must not be less than min/],
      [(c) => delete c.mixin.session_private_key, /mixin\.session_private_key/],
      [(c) => (c.mixin.app_id = 'bot'), /mixin\.app_id/],
      [(c) => (c.wallets.mugglepay.kind = 'paypal'), /wallets\.mugglepay/],
      [(c) => (c.wallets.binance.payees = { allow: ['x'] }), /wallets\.binance\.payees\.allow\.0/],
      [(c) => (c.alerts = { url: 'https://ops.example/hook' }), /alerts\.secret/],
      [(c) => (c.wallets = {}), /wallets/],
    ];
    for (const [change, pattern] of cases) {
      const config = JSON.parse(JSON.stringify(good));
      change(config);
      assert.throws(() => loadBrokerConfig({ BROKER_CONFIG_FILE: write('bad.json', config) }), (e: unknown) => e instanceof BrokerConfigError && pattern.test(e.message));
    }
    assert.throws(() => loadBrokerConfig({ BROKER_CONFIG_FILE: write('broken.json', '{') }), /BROKER_CONFIG_FILE .* could not be read as JSON/);
    assert.throws(() => loadBrokerConfig({ BROKER_CONFIG_FILE: join(dir, 'missing.json') }), /BROKER_CONFIG_FILE/);
  });
});

test('alert signatures are HMAC-SHA256 over "t.body"', () => {
  assert.equal(signAlertBody('secret', 1700000000, '{}'), 't=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163');
  assert.match(signAlertBody('secret', 1, 'x'), /^t=1,v1=[0-9a-f]{64}$/);
  assert.notEqual(signAlertBody('secret', 1, 'x'), signAlertBody('secret', 2, 'x'));
});
