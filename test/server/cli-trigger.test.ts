/**
 * `mixpay-checkout trigger` against a running development server: each outcome reaches the order
 * through the sandbox's simulate API and MixPay's callback, and the command prints the new status.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen } from '../support/http.ts';
import { eventually } from '../support/stack.ts';
import { verifyWebhook } from '../../server/core/signature.ts';
import type { MerchantNotification } from '../../server/merchant/notification-types.ts';
import { runCli, type CliIo } from '../../server/cli.ts';
import { configFor, startServer, type RunningServer } from '../../server/main.ts';
import { historyOf } from '../../server/merchant/order-queries.ts';
import { findOrder } from '../../server/merchant/order-store.ts';

function capture(env: Record<string, string | undefined>): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env };
}

const MERCHANT_KEY = 'trigger-test-merchant-key';
const WEBHOOK_KEY = 'trigger-test-webhook-secret';

describe('mixpay-checkout trigger', () => {
  let running: RunningServer;
  let base: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mixpay-trigger-'));
    const probe = await listen(() => new Response(''));
    const port = probe.port;
    await probe.close();
    // The keys this test's merchant uses (dev's own are random per data directory).
    const { config } = configFor('dev', { PORT: String(port), MERCHANT_API_KEY: MERCHANT_KEY, WEBHOOK_SECRET: WEBHOOK_KEY, DATABASE_URL: `sqlite:${join(dir, 't.db')}`, SANDBOX_TIME_SCALE: '0.001', SERVE_DEMO: '0', NOTIFY_INTERVAL_MS: '100' });
    running = await startServer(config, { quiet: true });
    base = config.PUBLIC_URL;
  });
  after(async () => {
    await running.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const orderIdOf = (io: { stdout: string[] }) => io.stdout.join('\n').match(/order ([0-9a-f-]{36}):/)?.[1];

  test('success with --product creates a checkout and the order becomes PAID', async () => {
    const io = capture({});
    assert.equal(await runCli(['trigger', 'success', '--product', 'tee', '--server', base], io), 0, io.stderr.join('\n'));
    const id = orderIdOf(io)!;
    assert.ok(id, io.stdout.join('\n'));
    assert.match(io.stdout.join('\n'), /NEW → PAID/);
    assert.equal((await findOrder(running.deps.store.db, id))!.status, 'PAID');
  });

  test('--order drives an existing order, by the merchant API or the public status', async () => {
    const first = capture({});
    assert.equal(await runCli(['trigger', 'pending', '--product', 'stickers', '--server', base], first), 0, first.stderr.join('\n'));
    const id = orderIdOf(first)!;
    assert.match(first.stdout.join('\n'), /NEW → PENDING/);
    const second = capture({ MERCHANT_API_KEY: MERCHANT_KEY });
    assert.equal(await runCli(['trigger', 'fail', '--order', id, '--server', base], second), 0, second.stderr.join('\n'));
    assert.match(second.stdout.join('\n'), /PENDING → FAILED/);
    assert.equal((await findOrder(running.deps.store.db, id))!.status, 'FAILED');

    const third = capture({});
    assert.equal(await runCli(['trigger', 'paid_less', '--product', 'tee', '--server', base], third), 0);
    const underpaid = orderIdOf(third)!;
    const fourth = capture({});
    assert.equal(await runCli(['trigger', 'expire', '--order', underpaid, '--server', base], fourth), 0, fourth.stderr.join('\n'));
    assert.notEqual((await findOrder(running.deps.store.db, underpaid))!.status, 'NEW');
  });

  test('confirm counts the confirmations of a pending payment, and the last one makes it PAID', async () => {
    const first = capture({});
    assert.equal(await runCli(['trigger', 'pending', '--product', 'stickers', '--server', base], first), 0, first.stderr.join('\n'));
    const id = orderIdOf(first)!;
    assert.match(first.stdout.join('\n'), /NEW → PENDING; paid [0-9.]+ \S+; 1 of 3 confirmations/);
    const second = capture({});
    assert.equal(await runCli(['trigger', 'confirm', '--order', id, '--server', base], second), 0, second.stderr.join('\n'));
    assert.match(second.stdout.join('\n'), /PENDING → PENDING; paid [0-9.]+ \S+; 2 of 3 confirmations/);
    const third = capture({});
    assert.equal(await runCli(['trigger', 'confirm', '--order', id, '--server', base], third), 0, third.stderr.join('\n'));
    assert.match(third.stdout.join('\n'), /PENDING → PAID/);
    assert.doesNotMatch(third.stdout.join('\n'), /confirmations/);
    assert.equal((await findOrder(running.deps.store.db, id))!.status, 'PAID');
  });

  test('an order made by the merchant API: success, and the merchant is told of its settlement', async () => {
    const bodies: MerchantNotification[] = [];
    const merchant = await listen(async (request) => {
      bodies.push(verifyWebhook<MerchantNotification>(await request.text(), request.headers.get('mixpay-checkout-signature'), WEBHOOK_KEY));
      return new Response('ok');
    });
    try {
      const created = (await (
        await fetch(`${base}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', token: MERCHANT_KEY },
          body: JSON.stringify({ price_amount: '7', price_currency: 'USD', callback_url: `${merchant.url}/hook` }),
        })
      ).json()) as { order: { order_id: string } };
      const id = created.order.order_id;
      const io = capture({ MERCHANT_API_KEY: MERCHANT_KEY });
      assert.equal(await runCli(['trigger', 'success', '--order', id, '--server', base], io), 0, io.stderr.join('\n'));
      assert.match(io.stdout.join('\n'), /NEW → PAID/);
      // The sandbox settles a moment after success: either the PAID event already carries the
      // settlement, or an order.settled event follows it (both cases are in notifications-order.test.ts).
      const settled = await eventually(async () => bodies.find((b) => b.status === 'PAID' && b.meta.settle_status === 'success'), 10_000, 'the settlement in a notification');
      assert.ok(settled.meta.settle_amount, 'the amount settled');
      const order = (await findOrder(running.deps.store.db, id))!;
      assert.equal(order.settle_status, 'success');
    } finally {
      await merchant.close();
    }
  });

  test('a tampered payment leaves the order unpaid, with the mismatch in its history', async () => {
    for (const [outcome, field] of [['tampered_amount', 'quoteAmount'], ['tampered_asset', 'quoteAssetId'], ['tampered_payee', 'payeeId']] as const) {
      const io = capture({});
      assert.equal(await runCli(['trigger', outcome, '--product', 'tee', '--server', base], io), 0, io.stderr.join('\n'));
      const id = orderIdOf(io)!;
      assert.equal((await findOrder(running.deps.store.db, id))!.status, 'NEW', outcome);
      const history = await historyOf(running.deps.store.db, id);
      assert.ok(history.some((e) => e.reason === `mismatch:${field}`), `${outcome}: ${JSON.stringify(history.map((e) => e.reason))}`);
    }
  });

  test('wrong use is exit 2; an unreachable server or unknown order is exit 1 with what to do', async () => {
    assert.equal(await runCli(['trigger', 'explode', '--product', 'tee'], capture({})), 2);
    assert.equal(await runCli(['trigger', 'success'], capture({})), 2);
    assert.equal(await runCli(['trigger', 'success', '--order', 'a', '--product', 'b'], capture({})), 2);
    const missing = capture({});
    assert.equal(await runCli(['trigger', 'success', '--order', '00000000-0000-4000-8000-000000000000', '--server', base], missing), 1);
    assert.match(missing.stderr.join('\n'), /404/);
    const down = capture({});
    assert.equal(await runCli(['trigger', 'success', '--product', 'tee', '--server', 'http://127.0.0.1:9'], down), 1);
    assert.match(down.stderr.join('\n'), /cannot reach .*--server/);
  });
});
