/**
 * The MixPay budget as `startServer` wires it (issue 12 §6), against the sandbox playing MixPay
 * with its real limit of 60 calls a minute, on both backends: a burst of 20 orders in one second
 * is all created; past the window's allowance an order is refused 429 with the real wait in
 * Retry-After, and leaves nothing behind.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { listen } from '../support/http.ts';
import { loadConfig } from '../../server/config.ts';
import { startServer, type RunningServer } from '../../server/main.ts';

const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';
const KEY = 'merchant-key-0123456789';

async function serverOn(databaseUrl: string, settings: Record<string, string>): Promise<RunningServer> {
  // PUBLIC_URL must name the port before listening; take a free one first.
  const probe = await listen(() => new Response(''));
  const port = probe.port;
  await probe.close();
  const base = `http://127.0.0.1:${port}`;
  return startServer(
    loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: base,
      DATABASE_URL: databaseUrl,
      MERCHANT_API_KEY: KEY,
      MIXPAY_PAYEE_ID: PAYEE,
      MIXPAY_API_BASE: `${base}/sandbox/mixpay/v1`,
      MIXPAY_PAY_BASE: `${base}/sandbox/mixpay`,
      MIXPAY_SANDBOX: '1',
      SANDBOX_TIME_SCALE: '0.001',
      RUN_WORKERS: '0',
      ...settings,
    }),
    { quiet: true },
  );
}

const order = (url: string, i: number) =>
  fetch(`${url}/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', token: KEY }, body: JSON.stringify({ price_amount: '5', merchant_order_id: `burst-${i}` }) });

for (const backend of await backends()) {
  describe(`MixPay budget in a running server on ${backend.name}`, () => {
    test('a burst of 20 orders in one second: all 20 created, MixPay (the sandbox, 60 a minute) never refuses', async () => {
      const store = await backend.create();
      const running = await serverOn(store.url, { SANDBOX_RATE_LIMIT_PER_MINUTE: '60', MIXPAY_RATE_LIMIT_PER_MINUTE: '60' });
      try {
        const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => order(running.url, i)));
        const statuses = answers.map((a) => a.status);
        // MugglePay's create answer: HTTP 200 with "status": 201 in the body.
        assert.deepEqual(statuses, Array(20).fill(200), JSON.stringify(await Promise.all(answers.filter((a) => a.status !== 200).map((a) => a.text()))));
        const links = await running.deps.store.db.selectFrom('orders').select('id').where('mixpay_code', 'is not', null).execute();
        assert.equal(links.length, 20);
      } finally {
        await running.close();
        await store.dispose().catch(() => {});
      }
    });

    test('past the allowance an order is refused 429 with the real wait as Retry-After, and leaves no order', async () => {
      const store = await backend.create();
      // The old name of the setting still works.
      const running = await serverOn(store.url, { MIXPAY_CALLS_PER_MINUTE: '5', MIXPAY_BUDGET_WAIT_MS: '0' });
      try {
        for (let i = 0; i < 5; i++) assert.equal((await order(running.url, i)).status, 200);
        const refused = await order(running.url, 5);
        assert.equal(refused.status, 429);
        assert.equal(((await refused.json()) as any).error_code, 'RATE_LIMITED');
        // The first of the five leaves the 60 s window in a little under a minute.
        const retryAfter = Number(refused.headers.get('retry-after'));
        assert.ok(retryAfter > 30 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
        const rows = await running.deps.store.db.selectFrom('orders').select('id').execute();
        assert.equal(rows.length, 5);
      } finally {
        await running.close();
        await store.dispose().catch(() => {});
      }
    });

    test("MixPay's own 1429 is answered 429 with the installation's back-off as Retry-After, not a guessed minute", async () => {
      const store = await backend.create();
      // The sandbox allows 2 calls a minute: the third order meets MixPay's 1429.
      const running = await serverOn(store.url, { SANDBOX_RATE_LIMIT_PER_MINUTE: '2', MIXPAY_BUDGET_WAIT_MS: '0' });
      try {
        for (let i = 0; i < 2; i++) assert.equal((await order(running.url, i)).status, 200);
        const limited = await order(running.url, 2);
        assert.equal(limited.status, 429);
        const first = Number(limited.headers.get('retry-after'));
        assert.ok(first >= 1 && first <= 20, `Retry-After after a 1429: ${first}`);
        // Meanwhile the installation backs off: refused without a call, with the time left.
        const backingOff = await order(running.url, 3);
        assert.equal(backingOff.status, 429);
        assert.ok(Number(backingOff.headers.get('retry-after')) <= first);
      } finally {
        await running.close();
        await store.dispose().catch(() => {});
      }
    });
  });
}
