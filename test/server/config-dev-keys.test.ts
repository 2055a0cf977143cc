/**
 * Development keys (issue 10 §8): `dev` never answers to a key published in the repository. Its
 * keys are random, made once per data directory and kept there (dev-keys.json, mode 600), the same
 * at the next start, different in another directory; a key given in the environment wins and
 * `serve` refuses the development ones in production.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionProblems } from '../../server/config.ts';
import { DEV_KEY_NAMES, developmentKeys } from '../../server/dev-keys.ts';
import { configFor } from '../../server/main.ts';

describe('development keys, per data directory', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-dev-keys-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('made once, random, kept in the data directory with mode 600; the same at the next start', () => {
    const dir = fresh();
    const env = { PORT: '9998', DATABASE_URL: `sqlite:${join(dir, 'db', 'dev.db')}` };
    const first = configFor('dev', env);
    const file = join(dir, 'db', 'dev-keys.json');
    assert.equal(first.keysFile, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const kept = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(kept).sort(), [...DEV_KEY_NAMES].sort());
    assert.equal(first.config.MERCHANT_API_KEY, kept.MERCHANT_API_KEY);
    assert.equal(first.config.ADMIN_API_KEY, kept.ADMIN_API_KEY);
    assert.deepEqual(first.config.WEBHOOK_SECRET, [kept.WEBHOOK_SECRET]);
    for (const name of DEV_KEY_NAMES) {
      assert.match(kept[name], /^dev-[0-9a-f]{48}$/, name);
      assert.ok(first.filled.includes(`${name}=${kept[name]}`), `${name} is printed as filled`);
    }
    assert.equal(new Set(Object.values(kept)).size, 3, 'three different keys');
    for (const published of ['dev-merchant-key', 'dev-admin-key-change-me', 'dev-webhook-secret-change-me']) assert.ok(!Object.values(kept).includes(published));
    const again = configFor('dev', env);
    assert.equal(again.config.MERCHANT_API_KEY, first.config.MERCHANT_API_KEY);
    assert.equal(again.config.ADMIN_API_KEY, first.config.ADMIN_API_KEY);
  });

  test('another data directory has other keys; an in-memory database keeps none on disk', () => {
    const [a, b] = [fresh(), fresh()];
    const keyOf = (dir: string) => configFor('dev', { DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }).config.MERCHANT_API_KEY;
    assert.notEqual(keyOf(a), keyOf(b));
    const memory = configFor('dev', { DATABASE_URL: 'sqlite::memory:' });
    assert.match(memory.config.MERCHANT_API_KEY, /^dev-[0-9a-f]{48}$/);
    assert.equal(memory.keysFile, undefined);
  });

  test('keys given in the environment win, and when all are given no file is made', () => {
    const dir = fresh();
    const given = { MERCHANT_API_KEY: 'my-merchant-key-0123', ADMIN_API_KEY: 'my-admin-key-0123456', WEBHOOK_SECRET: 'my-webhook-secret-0123' };
    const chosen = configFor('dev', { ...given, DATABASE_URL: `sqlite:${join(dir, 'x.db')}` });
    assert.equal(chosen.config.MERCHANT_API_KEY, given.MERCHANT_API_KEY);
    assert.equal(chosen.keysFile, undefined);
    assert.ok(!existsSync(join(dir, 'dev-keys.json')));
    assert.ok(!chosen.filled.some((line) => /_KEY=|WEBHOOK_SECRET=/.test(line)));
  });

  test('a damaged file is replaced; a second caller reads the first one\'s keys', () => {
    const dir = fresh();
    const first = developmentKeys(dir);
    assert.deepEqual(developmentKeys(dir).keys, first.keys);
    writeFileSync(join(dir, 'dev-keys.json'), '{"MERCHANT_API_KEY": "dev-merchant-key"');
    const made = developmentKeys(dir);
    assert.notDeepEqual(made.keys, first.keys);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'dev-keys.json'), 'utf8')), made.keys);
    assert.equal(statSync(join(dir, 'dev-keys.json')).mode & 0o777, 0o600);
  });

  test('serve refuses the development keys in production', () => {
    const dir = fresh();
    const { keys } = developmentKeys(dir);
    const problems = productionProblems({ ...configFor('dev', { DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }).config, NODE_ENV: 'production', PUBLIC_URL: 'https://shop.example' });
    assert.ok(keys.MERCHANT_API_KEY.startsWith('dev-'));
    for (const name of DEV_KEY_NAMES) assert.ok(problems.some((p) => p.startsWith(name)), `${name} refused: ${problems.join('; ')}`);
    // Named for what they are, not as missing.
    assert.ok(problems.some((p) => p.startsWith('ADMIN_API_KEY is a development key')), problems.join('; '));
    assert.ok(problems.some((p) => p.startsWith('WEBHOOK_SECRET is a development key')), problems.join('; '));
  });
});
