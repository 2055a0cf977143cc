import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { configFor } from '../../server/main.ts';
import { budgetLimitOf } from '../../server/mixpay/call-budget.ts';

const base = { PUBLIC_URL: 'https://shop.example', MERCHANT_API_KEY: 'k'.repeat(16), MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a' };

describe('configuration', () => {
  test('parses the environment with defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.PORT, 8787);
    assert.equal(config.DATABASE_URL, 'sqlite:./data/mixpay.db');
    assert.equal(config.MIXPAY_SANDBOX, false);
    assert.equal(config.MIXPAY_API_BASE, 'https://api.mixpay.me/v1');
  });

  test("the MixPay budget: MixPay's 60 a minute by default, higher when set, the former name still read", () => {
    const defaults = loadConfig(base);
    assert.equal(budgetLimitOf(defaults), 60);
    assert.equal(defaults.MIXPAY_BUDGET_WAIT_MS, 10_000);
    assert.equal(defaults.MIXPAY_RESERVED_CALLS, 3);
    assert.equal(budgetLimitOf(loadConfig({ ...base, MIXPAY_RATE_LIMIT_PER_MINUTE: '120' })), 120);
    assert.equal(budgetLimitOf(loadConfig({ ...base, MIXPAY_CALLS_PER_MINUTE: '50' })), 50);
    assert.equal(budgetLimitOf(loadConfig({ ...base, MIXPAY_CALLS_PER_MINUTE: '50', MIXPAY_RATE_LIMIT_PER_MINUTE: '60' })), 60, 'the new name wins');
    assert.throws(() => loadConfig({ ...base, MIXPAY_RATE_LIMIT_PER_MINUTE: '0' }), /MIXPAY_RATE_LIMIT_PER_MINUTE/);
    assert.throws(() => loadConfig({ ...base, MIXPAY_BUDGET_WAIT_MS: '-1' }), /MIXPAY_BUDGET_WAIT_MS/);
  });

  test('refuses a bad configuration, naming every variable', () => {
    assert.throws(() => loadConfig({ PORT: 'eighty' }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      for (const name of ['PORT', 'PUBLIC_URL', 'MERCHANT_API_KEY', 'MIXPAY_PAYEE_ID']) assert.match(error.message, new RegExp(name));
      return true;
    });
  });

  test('a config file supplies values; the environment wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ ...base, PORT: 9000, ORDER_EXPIRY_SECONDS: 600 }));
    const config = loadConfig({ CONFIG_FILE: file, PORT: '9100' });
    assert.equal(config.PORT, 9100);
    assert.equal(config.ORDER_EXPIRY_SECONDS, 600);
    assert.throws(() => loadConfig({ CONFIG_FILE: join(dir, 'missing.json') }), /CONFIG_FILE/);
  });

  test('dev fills unset settings and reports which', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-config-dev-'));
    const { config, filled } = configFor('dev', { PORT: '9999', MERCHANT_API_KEY: 'my-own-key-123', DATABASE_URL: `sqlite:${join(dir, 'dev.db')}` });
    assert.equal(config.PUBLIC_URL, 'http://localhost:9999');
    assert.equal(config.MERCHANT_API_KEY, 'my-own-key-123');
    assert.equal(config.MIXPAY_SANDBOX, true);
    assert.ok(filled.some((line) => line.startsWith('PUBLIC_URL=')));
    assert.ok(!filled.some((line) => line.startsWith('MERCHANT_API_KEY=')));
  });
});
