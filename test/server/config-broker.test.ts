/** The broker's file is part of the parsed Config: the composition root never reads process.env for it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { brokerDevelopmentConfig } from '../../server/broker/config.ts';

const base = { PUBLIC_URL: 'https://shop.example', MERCHANT_API_KEY: 'k'.repeat(16), MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a' };
const dir = mkdtempSync(join(tmpdir(), 'mixpay-config-broker-'));

test('broker mode is off without a file, and the sandbox brings its development broker', () => {
  assert.equal(loadConfig(base).broker, null);
  assert.deepEqual(loadConfig({ ...base, MIXPAY_SANDBOX: '1' }).broker, brokerDevelopmentConfig('https://shop.example'));
});

test('BROKER_CONFIG_FILE is read into Config.broker, from the environment or from CONFIG_FILE', () => {
  const broker = brokerDevelopmentConfig('https://broker.example');
  const file = join(dir, 'broker.json');
  writeFileSync(file, JSON.stringify(broker));
  assert.deepEqual(loadConfig({ ...base, BROKER_CONFIG_FILE: file }).broker, broker);
  const settings = join(dir, 'settings.json');
  writeFileSync(settings, JSON.stringify({ BROKER_CONFIG_FILE: file }));
  assert.deepEqual(loadConfig({ ...base, CONFIG_FILE: settings }).broker, broker);
});

test('a bad broker file refuses the whole configuration, naming the field', () => {
  const bad = JSON.parse(JSON.stringify(brokerDevelopmentConfig('https://broker.example')));
  bad.mixin.app_id = 'not-a-uuid';
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(bad));
  assert.throws(() => loadConfig({ ...base, BROKER_CONFIG_FILE: file }), (e: unknown) => e instanceof ConfigError && /mixin\.app_id/.test(e.message) && /BROKER_CONFIG_FILE/.test(e.message));
});
