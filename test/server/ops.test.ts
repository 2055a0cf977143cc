/**
 * Operating the server: /livez, /readyz (database, migrations, workers), and /metrics in
 * Prometheus text behind METRICS_TOKEN or, without one, for direct loopback callers only. The
 * counters move with real traffic: HTTP requests by route pattern, MixPay calls, callbacks by
 * verdict, notification attempts, open status streams.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, type TestStore } from '../support/stores.ts';
import { eventually, startStack, type Stack } from '../support/stack.ts';
import { listen, type Listening } from '../support/http.ts';
import { codeOf, createOrder, simulate, waitForStatus } from '../support/merchant.ts';
import { NotificationDelivery } from '../../server/merchant/workers/notification-delivery.ts';
import { checkReadiness } from '../../server/ops/health.ts';
import { configFor, startServer } from '../../server/main.ts';
import { freePort } from '../support/ports.ts';
import { sample } from '../support/metrics.ts';

const METRICS_TOKEN = 'metrics-token-0123456789';

for (const backend of await backends()) {
  describe(`health and metrics on ${backend.name}`, () => {
    let store: TestStore;
    let stack: Stack;
    let merchant: Listening;

    before(async () => {
      store = await backend.create();
      stack = await startStack(store, { METRICS_TOKEN });
      merchant = await listen(() => new Response('no', { status: 503 }));
    });
    after(async () => {
      await merchant.close();
      await stack.close();
      await store.dispose();
    });

    const scrape = async (token = METRICS_TOKEN) => fetch(`${stack.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

    test('/livez and /readyz; readiness names what is missing', async () => {
      assert.equal((await fetch(`${stack.url}/livez`)).status, 200);
      const ready = await fetch(`${stack.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ok', started: true, database: 'ok', migrations: 'ok', workers: 'off' });
      assert.equal((await fetch(`${stack.url}/healthz`)).status, 200, '/healthz stays for compatibility');
      const stopped = await checkReadiness({ db: store.db, workers: () => ({ reconciler: true, notifications: false }) });
      assert.equal(stopped.ready, false);
      await store.db.deleteFrom('kysely_migration' as any).where('name', '=', '007_admin_indexes').execute();
      const behind = await checkReadiness({ db: store.db });
      assert.equal(behind.ready, false);
      assert.match(behind.checks.migrations, /007_admin_indexes/);
      await store.db.insertInto('kysely_migration' as any).values({ name: '007_admin_indexes', timestamp: new Date().toISOString() }).execute();
    });

    test('/metrics wants the token, and counts requests, MixPay calls, callbacks, attempts and streams', async () => {
      assert.equal((await scrape('')).status, 401);
      assert.equal((await scrape('wrong-token-0000000000')).status, 401);

      const created = await createOrder(stack, { callback_url: `${merchant.url}/hook` });
      const id = created.order.order_id;
      const stream = await fetch(`${stack.url}/v1/orders/${id}/events`);
      assert.equal(stream.status, 200);
      const reader = stream.body!.getReader();
      await reader.read();
      let text = await (await scrape()).text();
      assert.equal(sample(text, 'mixpay_checkout_sse_streams_open'), 1);
      assert.equal(sample(text, 'mixpay_checkout_orders', { status: 'NEW' }), 1);

      await simulate(stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(store, id, 'PAID');
      await eventually(async () => sample(await (await scrape()).text(), 'mixpay_checkout_sse_streams_open') === 0, 3000, 'the stream to close at PAID');
      await new NotificationDelivery({ db: store.db, secrets: [], now: () => Date.now(), log: () => {} }).runOnce();

      text = await (await scrape()).text();
      assert.equal(sample(text, 'mixpay_checkout_orders', { status: 'PAID' }), 1);
      assert.ok(sample(text, 'mixpay_checkout_http_requests_total', { method: 'POST', route: '/v1/orders', status: '200' })! >= 1);
      assert.ok(sample(text, 'mixpay_checkout_http_requests_total', { method: 'GET', route: '/v1/orders/:id/events', status: '200' })! >= 1);
      assert.ok(sample(text, 'mixpay_checkout_http_request_duration_seconds_count', { route: '/v1/orders' })! >= 1);
      assert.ok(sample(text, 'mixpay_checkout_mixpay_calls_total', { endpoint: 'POST /one_time_payment', outcome: 'ok' })! >= 1, text.split('\n').filter((l) => l.includes('mixpay_calls')).join('\n'));
      assert.ok(sample(text, 'mixpay_checkout_callbacks_total', { outcome: 'paid' })! >= 1);
      assert.ok(sample(text, 'mixpay_checkout_notification_attempts_total', { outcome: 'rejected' })! >= 1);
      assert.equal(sample(text, 'mixpay_checkout_notifications', { state: 'failing' }), 1);
      assert.ok(sample(text, 'mixpay_checkout_notification_oldest_undelivered_seconds')! >= 0);
      assert.ok(sample(text, 'mixpay_checkout_reconcile_backlog')! >= 0);
      assert.ok(sample(text, 'mixpay_checkout_mixpay_budget_calls') !== undefined);
      assert.ok(sample(text, 'mixpay_checkout_process_resident_memory_bytes') !== undefined || sample(text, 'mixpay_checkout_nodejs_heap_size_used_bytes') !== undefined);
      assert.equal(sample(text, 'mixpay_checkout_database_up'), 1);
      // Unknown paths share one series instead of one per path.
      await fetch(`${stack.url}/no/such/${Math.random()}`);
      text = await (await scrape()).text();
      assert.ok(sample(text, 'mixpay_checkout_http_requests_total', { route: 'unmatched', status: '404' })! >= 1);
      assert.doesNotMatch(text, /route="\/no\/such/);
    });
  });
}

describe('metrics without a token', () => {
  test('answer direct loopback callers, not proxied ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-ops-'));
    const { config } = configFor('dev', { PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'ops.db')}`, RUN_WORKERS: '1' });
    const server = await startServer(config, { quiet: true });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      assert.equal((await fetch(`${url}/metrics`)).status, 200);
      assert.equal((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 403);
      const ready = (await (await fetch(`${url}/readyz`)).json()) as any;
      assert.equal(ready.status, 'ok');
      assert.equal(ready.workers.reconciler, true);
      assert.equal(ready.workers.notifications, true);
      // With the database gone, /metrics still answers: database_up 0, counters intact.
      await server.deps.store.close();
      const down = await fetch(`${url}/metrics`);
      assert.equal(down.status, 200);
      const text = await down.text();
      assert.equal(sample(text, 'mixpay_checkout_database_up'), 0);
      assert.match(text, /mixpay_checkout_http_requests_total/);
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
    } finally {
      await server.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shutdown', () => {
  test('ends open status streams with a final closing event, then stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-shutdown-'));
    const { config } = configFor('dev', { PORT: String(await freePort()), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'ops.db')}`, SANDBOX_TIME_SCALE: '0.001' });
    const server = await startServer(config, { quiet: true });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const checkout = (await (await fetch(`${url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"product":"tee"}' })).json()) as any;
      const stream = await fetch(`${url}/v1/orders/${checkout.order.order_id}/events`);
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = (await reader.read()).value ?? '';
      assert.match(text, /event: status/);
      const closing = server.close();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += value;
      }
      await closing;
      assert.match(text, /event: closing\nretry: 2000\ndata: /);
      await assert.rejects(fetch(`${url}/livez`), 'no longer accepting');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
