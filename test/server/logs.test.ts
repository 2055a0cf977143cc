/**
 * Issue 11 §2: the server's output is JSON lines through pino (time, level, request id, method,
 * path, status, duration on every request; order ids and event names on domain lines), the
 * request id goes back as `x-request-id`, and no configured secret — keys, webhook secrets, the
 * metrics token, the broker bots' keys and PINs, a merchant's callback token — appears anywhere
 * in a whole run's output. Development prints readable lines instead.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { listen, type Listening } from '../support/http.ts';
import { eventually } from '../support/stack.ts';
import { configFor } from '../../server/main.ts';
import { createLogger, lineLogger, logWarnings } from '../../server/ops/logger.ts';
import { reportWarning } from '../../server/core/channels.ts';

const ROOT = join(import.meta.dirname, '../..');

const SECRETS = {
  MERCHANT_API_KEY: 'merchant-key-LOGTEST-8f3a9c1d2e',
  ADMIN_API_KEY: 'admin-key-LOGTEST-7b6c5d4e3f2a',
  WEBHOOK_SECRET: 'whsec-new-LOGTEST-1a2b3c4d5e6f,whsec-old-LOGTEST-6f5e4d3c2b1a',
  METRICS_TOKEN: 'metrics-token-LOGTEST-0a9b8c7d',
};
const CALLBACK_TOKEN = 'callback-token-LOGTEST-5566778899';

/** Every string under a key that names a secret, in the broker's (sandbox) configuration too. */
function secretValues(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return /key|pin|secret|token|private|password|seed/i.test(key) && value.length >= 6 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => secretValues(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => secretValues(v, k));
  return [];
}

describe('the server log', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  let dir: string;
  let merchant: Listening;
  const env: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mixpay-logs-'));
    merchant = await listen(() => new Response('ok'));
    const probe = await listen(() => new Response(''));
    const port = probe.port;
    await probe.close();
    Object.assign(env, {
      ...SECRETS,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: `sqlite:${join(dir, 'logs.db')}`,
      SANDBOX_TIME_SCALE: '0.001',
      NOTIFY_INTERVAL_MS: '100',
      SERVE_DEMO: '0',
    });
    child = spawn('node', ['--import', 'tsx', 'server/main.ts', 'dev'], { cwd: ROOT, env: { ...process.env, ...env, ENV_FILE: '' } });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    base = await eventually(async () => output.match(/listening on (http:\/\/localhost:\d+)/)?.[1], 20_000, 'the server to listen');
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await merchant.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a checkout, an order with a callback, MixPay\'s callback, the admin and metrics leave no secret in the output', async () => {
    const json = { 'content-type': 'application/json' };
    assert.equal((await fetch(`${base}/v1/checkout`, { method: 'POST', headers: json, body: '{"product":"tee"}' })).status, 201);
    const created = (await (
      await fetch(`${base}/v1/orders`, {
        method: 'POST',
        headers: { ...json, token: SECRETS.MERCHANT_API_KEY, cookie: `session=${SECRETS.ADMIN_API_KEY}` },
        body: JSON.stringify({ price_amount: '3', callback_url: `${merchant.url}/hook`, token: CALLBACK_TOKEN }),
      })
    ).json()) as { order: { order_id: string }; links: { checkout_url: string } };
    const orderId = created.order.order_id;
    const code = created.links.checkout_url.split('/code/')[1]!;
    await fetch(`${base}/sandbox/mixpay/payments/${code}/simulate`, { method: 'POST', headers: json, body: '{"outcome":"success"}' });
    await eventually(async () => output.includes('"event":"order.status_changed"') && /"outcome":"delivered"/.test(output), 10_000, 'the PAID notification to be logged');
    assert.equal((await fetch(`${base}/v1/orders/${orderId}`, { headers: { token: SECRETS.MERCHANT_API_KEY } })).status, 200);
    assert.equal((await fetch(`${base}/v1/orders/${orderId}`, { headers: { token: `${SECRETS.MERCHANT_API_KEY}-wrong` } })).status, 401);
    assert.equal((await fetch(`${base}/admin/v1/orders`, { headers: { 'x-admin-key': SECRETS.ADMIN_API_KEY } })).status, 200);
    const origin = { ...json, origin: base };
    assert.equal((await fetch(`${base}/admin/session`, { method: 'POST', headers: origin, body: JSON.stringify({ key: `${SECRETS.ADMIN_API_KEY}x` }) })).status, 401);
    assert.equal((await fetch(`${base}/admin/session`, { method: 'POST', headers: origin, body: JSON.stringify({ key: SECRETS.ADMIN_API_KEY }) })).status, 200);
    assert.equal((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${SECRETS.METRICS_TOKEN}` } })).status, 200);
    // The element's status polls are routine (debug); a poll for an unknown order is not.
    const polled = await fetch(`${base}/v1/orders/${orderId}/status`);
    assert.equal(polled.status, 200);
    assert.equal((await fetch(`${base}/v1/orders/${orderId}/status`, { headers: { 'if-none-match': polled.headers.get('etag')! } })).status, 304);
    const unknownOrder = '00000000-0000-4000-8000-000000000000';
    assert.equal((await fetch(`${base}/v1/orders/${unknownOrder}/status`)).status, 404);
    // The child writes a request's line as it answers, and the pipe brings it later: wait for the
    // lines the checks below read (on a loaded machine that can take longer than any fixed pause),
    // then leave 300 ms for anything still on its way before looking for secrets.
    const logged = () => output.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const requestPaths = ['/v1/checkout', '/v1/orders', '/mixpay/callback', '/admin/v1/orders', '/admin/session', '/metrics'];
    await eventually(() => {
      const lines = logged();
      return [...requestPaths, `/v1/orders/${unknownOrder}/status`].every((path) => lines.some((r) => r.req_id && r.path === path)) && lines.some((r) => r.component === 'admin' && r.level === 'warn');
    }, 10_000, 'the request lines and the sign-in warning in the output');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const { config } = configFor('dev', env);
    const secrets = [...Object.values(SECRETS).flatMap((v) => v.split(',')), CALLBACK_TOKEN, `${SECRETS.MERCHANT_API_KEY}-wrong`, ...secretValues(config.broker)];
    assert.ok(secrets.length > 6, `secrets to look for: ${secrets.length}`);
    for (const secret of secrets) assert.ok(!output.includes(secret), `a configured secret (${secret.slice(0, 4)}…) is in the output`);

    const lines = output.split('\n').filter(Boolean);
    const records = lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not a JSON line: ${line}`);
      }
    });
    for (const r of records) {
      assert.equal(typeof r.time, 'string');
      assert.ok(['info', 'warn', 'error'].includes(String(r.level)), String(r.level));
    }
    const requests = records.filter((r) => r.req_id);
    for (const path of requestPaths) {
      const r = requests.find((q) => q.path === path);
      assert.ok(r, `a request line for ${path}`);
      assert.equal(typeof r.method, 'string');
      assert.equal(typeof r.status, 'number');
      assert.equal(typeof r.duration_ms, 'number');
    }
    assert.ok(!requests.some((r) => r.path === `/v1/orders/${orderId}/status`), 'no info line for a successful status poll');
    const refused = requests.find((r) => r.path === `/v1/orders/${unknownOrder}/status`);
    assert.equal(refused?.status, 404, 'a refused status poll is logged');
    assert.equal(refused?.level, 'info');
    const delivered = records.find((r) => r.event === 'order.status_changed' && r.outcome === 'delivered')!;
    assert.equal(delivered.order_id, orderId, 'the notification line names its order');
    assert.ok(records.some((r) => r.component === 'admin' && r.level === 'warn'), 'the refused sign-in is a warning');
  });

  test('the request id comes back as x-request-id, the client\'s own when it is sane', async () => {
    const given = await fetch(`${base}/livez`, { headers: { 'x-request-id': 'shop-req.42:a' } });
    assert.equal(given.headers.get('x-request-id'), 'shop-req.42:a');
    const insane = await fetch(`${base}/livez`, { headers: { 'x-request-id': 'a b\u00e9'.padEnd(200, 'x') } });
    assert.match(insane.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const fresh = await fetch(`${base}/v1/orders/00000000-0000-4000-8000-000000000000/status`);
    assert.match(fresh.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    await eventually(async () => output.includes('"req_id":"shop-req.42:a"'), 5000, 'the given id in the log');
  });
});

describe('the log format', () => {
  function collect() {
    const chunks: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { chunks, destination };
  }

  test('credential headers are redacted, domain lines carry order and event ids', () => {
    const { chunks, destination } = collect();
    const logger = createLogger({ destination });
    logger.info({ headers: { token: 'tok-secret', 'x-admin-key': 'adm-secret', authorization: 'Bearer b', cookie: 'c=1', accept: '*/*' } }, 'a request');
    lineLogger(logger)('notification 0b8f0a52-1f7e-4c2e-9d2a-0a0a0a0a0a0a (order.settled PAID) of order 6F0C2C1E-8A4E-4A57-9B0E-0B7F0C6F1F43 attempt 1: delivered', { event: 'order.settled' });
    lineLogger(logger)('reconciler: MixPay unavailable for order 6f0c2c1e-8a4e-4a57-9b0e-0b7f0c6f1f43 (down); backing off');
    const [request, notification, reconciler] = chunks.map((c) => JSON.parse(c));
    assert.deepEqual(request.headers, { token: '[redacted]', 'x-admin-key': '[redacted]', authorization: '[redacted]', cookie: '[redacted]', accept: '*/*' });
    assert.equal(notification.order_id, '6f0c2c1e-8a4e-4a57-9b0e-0b7f0c6f1f43');
    assert.equal(notification.event_id, '0b8f0a52-1f7e-4c2e-9d2a-0a0a0a0a0a0a');
    assert.equal(notification.event, 'order.settled');
    assert.equal(reconciler.component, 'reconciler');
    assert.equal(reconciler.level, 'warn');
  });

  test('warnings of parts without a logger (the store, the caller check) reach the running server\'s log', () => {
    const { chunks, destination } = collect();
    const stop = logWarnings(createLogger({ destination }));
    try {
      reportWarning('database connection lost while idle (terminated); it will reconnect');
    } finally {
      stop();
    }
    const [warning] = chunks.map((c) => JSON.parse(c));
    assert.equal(warning.level, 'warn');
    assert.match(warning.msg, /^database connection lost/);
  });

  test('development prints short readable lines, not JSON', () => {
    const { chunks, destination } = collect();
    lineLogger(createLogger({ destination, pretty: true }))('admin: operator signed in from 127.0.0.1');
    const text = chunks.join('');
    assert.match(text, /^\d\d:\d\d:\d\d INFO {2}admin: operator signed in from 127\.0\.0\.1 {2}\(component=admin\)\n$/);
  });
});
