/**
 * The command's answers to an operator (issue 10 §4), in process: `init` writes a starter `.env`
 * with fresh keys and a catalog that validates, and refuses to overwrite; `.env` is read and the
 * environment wins over it; a configuration error is one line per variable, naming it, never a stack.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliIo } from '../../server/cli.ts';
import { Catalog } from '../../server/merchant/catalog.ts';

function capture(env: Record<string, string | undefined>): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(...l.split('\n')), err: (l) => stderr.push(...l.split('\n')), env };
}

describe('the command, as an operator meets it', () => {
  let dir: string;
  const cwd = process.cwd();
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mixpay-cli-init-'));
    process.chdir(dir);
  });
  after(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  test('init writes .env with three distinct random keys (mode 600) and a catalog that validates; never overwrites', async () => {
    const io = capture({});
    assert.equal(await runCli(['init'], io), 0, io.stderr.join('\n'));
    const env = readFileSync('.env', 'utf8');
    const keys = ['MERCHANT_API_KEY', 'ADMIN_API_KEY', 'WEBHOOK_SECRET'].map((name) => env.match(new RegExp(`^${name}=([0-9a-f]{48,})$`, 'm'))?.[1]);
    assert.ok(keys.every(Boolean), env);
    assert.equal(new Set(keys).size, 3);
    assert.equal(statSync('.env').mode & 0o777, 0o600);
    assert.match(env, /^# PUBLIC_URL=https:\/\//m, 'PUBLIC_URL is left for the merchant to set');
    assert.equal(Catalog.fromFile('catalog.json').list().length, 1);
    const again = capture({});
    assert.equal(await runCli(['init'], again), 1);
    assert.match(again.stderr.join('\n'), /already exist here; nothing written \(--force overwrites them\)/);
    assert.equal(readFileSync('.env', 'utf8'), env);
  });

  test('serve after init names the two values only the merchant knows, one line each', async () => {
    const io = capture({});
    assert.equal(await runCli(['serve'], io), 1);
    assert.deepEqual(io.stderr, ['[mixpay-checkout] PUBLIC_URL is not set', '[mixpay-checkout] MIXPAY_PAYEE_ID is not set']);
    assert.ok(io.stdout.some((line) => line.includes('settings from .env')));
  });

  test('the environment wins over .env; a bad value is one line naming the variable, never a stack', async () => {
    const io = capture({ PUBLIC_URL: 'https://pay.shop.example', MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a', PORT: 'eighty', ORDER_EXPIRY_SECONDS: '5' });
    assert.equal(await runCli(['serve'], io), 1);
    assert.equal(io.stderr.length, 2, io.stderr.join('\n'));
    assert.match(io.stderr[0]!, /^\[mixpay-checkout\] PORT: /);
    assert.match(io.stderr[1]!, /^\[mixpay-checkout\] ORDER_EXPIRY_SECONDS: /);
    assert.ok(!io.stderr.some((line) => /^\s+at /.test(line)));
  });

  test('a catalog that does not match its schema is one line naming CATALOG_FILE and the field', async () => {
    writeFileSync('bad-catalog.json', JSON.stringify({ products: [{ id: 'tee', title: 'Tee', price_amount: '0', price_currency: 'USD' }] }));
    const io = capture({ NODE_ENV: 'test', PUBLIC_URL: 'https://pay.shop.example', MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a', CATALOG_FILE: 'bad-catalog.json', DATABASE_URL: `sqlite:${join(dir, 'x.db')}`, PORT: '0' });
    assert.equal(await runCli(['serve'], io), 1);
    assert.deepEqual(io.stderr, ['[mixpay-checkout] CATALOG_FILE bad-catalog.json is invalid: products.0.price_amount: must be greater than zero']);
  });
});
