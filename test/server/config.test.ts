import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { configFor } from '../../server/main.ts';

const base = { PUBLIC_URL: 'https://shop.example', MERCHANT_API_KEY: 'k'.repeat(16), MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a' };

describe('configuration', () => {
  test('parses the environment with defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.PORT, 8787);
    assert.equal(config.DATABASE_URL, 'sqlite:./data/mixpay.db');
    assert.equal(config.MIXPAY_SANDBOX, false);
    assert.equal(config.MIXPAY_API_BASE, 'https://api.mixpay.me/v1');
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
    const { config, filled } = configFor('dev', { PORT: '9999', MERCHANT_API_KEY: 'my-own-key-123' });
    assert.equal(config.PUBLIC_URL, 'http://localhost:9999');
    assert.equal(config.MERCHANT_API_KEY, 'my-own-key-123');
    assert.equal(config.MIXPAY_SANDBOX, true);
    assert.ok(filled.some((line) => line.startsWith('PUBLIC_URL=')));
    assert.ok(!filled.some((line) => line.startsWith('MERCHANT_API_KEY=')));
  });
});
