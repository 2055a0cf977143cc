/**
 * The `mixpay-checkout` command as installed (bin/mixpay-checkout.js, running dist/server), `serve`'s
 * production checks, the order and notification commands on both backends, and startServer's
 * wiring end to end: one shared MixPay budget and the notification worker.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, createSqliteStore, type TestStore } from '../support/stores.ts';
import { listen } from '../support/http.ts';
import { insertOrder } from '../support/orders.ts';
import { eventually } from '../support/stack.ts';
import { runCli, type CliIo } from '../../server/cli.ts';
import { loadConfig } from '../../server/config.ts';
import { startServer } from '../../server/main.ts';
import { transitionOrder } from '../../server/merchant/order-store.ts';
import { notificationsOf } from '../../server/merchant/notifications.ts';
import { verifyWebhook } from '../../server/core/signature.ts';

const BIN = join(import.meta.dirname, '../../bin/mixpay-checkout.js');
const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';

function capture(env: Record<string, string | undefined>): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

describe('the installed command', () => {
  test('help, unknown commands and migrate run through bin/mixpay-checkout.js', () => {
    const help = spawnSync('node', [BIN, 'help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /orders list/);
    assert.match(help.stdout, /notifications resend <event-id>/);
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-cli-'));
    try {
      const migrate = spawnSync('node', [BIN, 'migrate'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'a.db')}` } });
      assert.equal(migrate.status, 0, migrate.stderr);
      assert.match(migrate.stdout, /applied 001_orders, 002_merchant_lifecycle/);
      // `npm start` runs server/main.ts, which runs the same CLI.
      const again = spawnSync('node', ['--import', 'tsx', 'server/main.ts', 'migrate'], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: `sqlite:${join(dir, 'a.db')}` } });
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /schema is up to date/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('serve refuses to start in production without an https URL, the keys and a webhook secret, naming each', () => {
    const env = { ...process.env, NODE_ENV: 'production', PUBLIC_URL: 'http://shop.example', MERCHANT_API_KEY: 'short-key', MIXPAY_PAYEE_ID: PAYEE, ADMIN_API_KEY: '', WEBHOOK_SECRET: '' };
    const run = spawnSync('node', [BIN, 'serve'], { encoding: 'utf8', env });
    assert.equal(run.status, 1);
    for (const name of ['PUBLIC_URL', 'MERCHANT_API_KEY', 'ADMIN_API_KEY', 'WEBHOOK_SECRET']) assert.match(run.stderr, new RegExp(name), name);
    const missing = spawnSync('node', [BIN, 'serve'], { encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production', PUBLIC_URL: '', MERCHANT_API_KEY: '', MIXPAY_PAYEE_ID: '' } });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /PUBLIC_URL/);
    assert.match(missing.stderr, /MERCHANT_API_KEY/);
  });

  test('serve starts in production with everything set, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-serve-'));
    const child = spawn('node', [BIN, 'serve'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: '0',
        HOST: '127.0.0.1',
        PUBLIC_URL: 'https://pay.shop.example',
        MERCHANT_API_KEY: 'merchant-key-0123456789abcdef',
        ADMIN_API_KEY: 'admin-key-0123456789abcdef',
        WEBHOOK_SECRET: 'webhook-secret-0123456789abcdef',
        MIXPAY_PAYEE_ID: PAYEE,
        MIXPAY_API_BASE: 'http://127.0.0.1:9/v1',
        DATABASE_URL: `sqlite:${join(dir, 'p.db')}`,
      },
    });
    try {
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const url = await eventually(async () => output.match(/listening on (http:\/\/localhost:\d+)/)?.[1], 10_000, 'serve to listen');
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of await backends()) {
  describe(`order and notification commands on ${backend.name}`, () => {
    let store: TestStore;
    before(async () => {
      store = await backend.create();
    });
    after(async () => store.dispose());

    test('orders list, orders show and notifications resend', async () => {
      const a = await insertOrder(store, { merchant_order_id: 'cli-a', callback_url: 'https://merchant.example/hook' });
      await insertOrder(store, { merchant_order_id: 'cli-b' });
      await transitionOrder(store.db, a.id, 'PAID', 'test:paid', { pay_amount: '10.5' }, null, Date.now());

      const list = capture({ DATABASE_URL: store.url });
      assert.equal(await runCli(['orders', 'list', '--status', 'PAID'], list), 0);
      assert.ok(list.stdout.some((l) => l.startsWith(a.id) && /PAID/.test(l)));
      assert.ok(!list.stdout.some((l) => /cli-b/.test(l)));
      const json = capture({ DATABASE_URL: store.url });
      assert.equal(await runCli(['orders', 'list', '--json', '--limit', '5'], json), 0);
      const parsed = JSON.parse(json.stdout.join('\n'));
      assert.equal(parsed.limit, 5);
      assert.ok(parsed.total >= 2);

      const show = capture({ DATABASE_URL: store.url });
      assert.equal(await runCli(['orders', 'show', a.id], show), 0);
      const text = show.stdout.join('\n');
      assert.match(text, /NEW → PAID/);
      assert.match(text, /notifications:\n {2}[0-9a-f-]{36} {2}PAID {2}pending/);

      const [event] = await notificationsOf(store.db, a.id);
      const resend = capture({ DATABASE_URL: store.url });
      assert.equal(await runCli(['notifications', 'resend', event!.id], resend), 0);
      assert.match(resend.stdout[0]!, /queued/);

      const missing = capture({ DATABASE_URL: store.url });
      assert.equal(await runCli(['notifications', 'resend', '00000000-0000-0000-0000-000000000000'], missing), 1);
      assert.equal(await runCli(['orders', 'show', '00000000-0000-0000-0000-000000000000'], missing), 1);
      assert.equal(await runCli(['orders', 'list', '--limit', '0'], missing), 2);
      assert.equal(await runCli(['orders', 'frob'], missing), 2);
    });
  });
}

describe('startServer wiring', () => {
  test('every MixPay call spends from the shared budget, and the worker delivers a signed notification', async () => {
    const store = await createSqliteStore();
    await store.close();
    const received: Array<{ body: string; signature: string }> = [];
    const merchant = await listen(async (request) => {
      received.push({ body: await request.text(), signature: request.headers.get('mixpay-checkout-signature') ?? '' });
      return new Response('ok');
    });
    // PUBLIC_URL must name the port before listening; take a free one first.
    const probe = await listen(() => new Response(''));
    const port = probe.port;
    await probe.close();
    const base = `http://127.0.0.1:${port}`;
    const running = await startServer(
      loadConfig({
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        DATABASE_URL: store.url,
        MERCHANT_API_KEY: 'merchant-key-0123456789',
        ADMIN_API_KEY: 'admin-key-0123456789abcd',
        WEBHOOK_SECRET: 'webhook-secret-0123456789',
        MIXPAY_PAYEE_ID: PAYEE,
        MIXPAY_API_BASE: `${base}/sandbox/mixpay/v1`,
        MIXPAY_PAY_BASE: `${base}/sandbox/mixpay`,
        MIXPAY_SANDBOX: '1',
        SANDBOX_TIME_SCALE: '0.001',
        NOTIFY_INTERVAL_MS: '100',
        RECONCILE_INTERVAL_MS: '200',
      }),
      { quiet: true },
    );
    try {
      const created = (await (
        await fetch(`${base}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', token: 'merchant-key-0123456789' },
          body: JSON.stringify({ price_amount: '5', callback_url: `${merchant.url}/hook` }),
        })
      ).json()) as any;
      const code = created.links.checkout_url.split('/code/')[1];
      await fetch(`${base}/sandbox/mixpay/payments/${code}/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"outcome":"success"}' });
      await eventually(async () => received.some((r) => JSON.parse(r.body).status === 'PAID'), 5000, 'the PAID notification');
      const paid = received.find((r) => JSON.parse(r.body).status === 'PAID')!;
      assert.equal(verifyWebhook<any>(paid.body, paid.signature, 'webhook-secret-0123456789').order_id, created.order.order_id);
      const bucket = await running.deps.store.db.selectFrom('call_budgets').selectAll().where('name', '=', 'mixpay').executeTakeFirst();
      assert.ok(bucket, 'the budget row exists');
      // Calls were taken from the window after the order was made: slots of MixPay's 60 a minute
      // hold the times of the calls that used them.
      const slots = await running.deps.store.db.selectFrom('call_budget_slots').select('used_at').where('name', '=', 'mixpay').execute();
      assert.equal(slots.length, 60, 'MIXPAY_RATE_LIMIT_PER_MINUTE defaults to 60');
      assert.ok(slots.some((s) => Number(s.used_at) >= Date.parse(created.order.created_at)), 'a call was taken after the order was created');
      assert.ok(slots.filter((s) => Number(s.used_at) > 0).length >= 2, 'the link and the callback check each took a slot');
    } finally {
      await running.close();
      await merchant.close();
      await store.dispose().catch(() => {});
    }
  });
});

describe('usage errors', () => {
  test('unknown commands exit 2 with the usage', async () => {
    const io = capture({});
    assert.equal(await runCli(['frobnicate'], io), 2);
    assert.match(io.stderr.join('\n'), /unknown command "frobnicate"[\s\S]*orders list/);
  });

  test('a bad option is a usage error (exit 2), not a crash with a stack trace', async () => {
    for (const args of [['orders', 'list', '--limit', '-5'], ['orders', 'list', '--bogus'], ['orders', 'show', '--json=1']]) {
      const io = capture({ DATABASE_URL: 'sqlite::memory:' });
      assert.equal(await runCli(args, io), 2, args.join(' '));
      const text = io.stderr.join('\n');
      assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
      assert.match(text, /usage:/);
    }
  });
});
