/**
 * The status route's cache hits answered ahead of Hono (issue 12 §2), on both backends: the same
 * server answers through the fast path and, with it switched off, through Hono alone; the two
 * answers are the same header for header (bar the date and a fresh request id), 200 and 304, with
 * and without an allowed origin. The fast path counts in the metrics as Hono's middleware does,
 * sends the request log's `x-request-id`, leaves polls to Hono when the log would write them (at
 * debug), sees every change at the next poll, and leaves everything that is not a hit to Hono.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { backends, type TestStore } from '../support/stores.ts';
import { listenNode, type Listening } from '../support/http.ts';
import { sample } from '../support/metrics.ts';
import { seedOrders } from '../support/order-rows.ts';
import { eventually } from '../support/wait.ts';
import { loadConfig } from '../../server/config.ts';
import { composeServer, type ComposedServer } from '../../server/compose.ts';
import { serverListener } from '../../server/main.ts';
import { createLogger, type Logger } from '../../server/ops/logger.ts';
import { patchOrder, transitionOrder } from '../../server/merchant/order-store.ts';
import { openStore, type Store } from '../../server/store/db.ts';

const SHOP = 'https://shop.example';

interface Answer {
  status: number;
  /** Node's raw headers in the order sent, as [name, value]. */
  headers: Array<[string, string]>;
  body: string;
}

/** One request over a fresh connection, with the headers exactly as sent. */
function ask(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const pairs: Array<[string, string]> = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode!, headers: pairs, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** An answer with the values that differ between any two requests (the date, a fresh request id) blanked. */
function comparable(answer: Answer): Answer {
  const fresh = (name: string, value: string) => name.toLowerCase() === 'date' || (name.toLowerCase() === 'x-request-id' && /^[0-9a-f-]{36}$/.test(value));
  return { ...answer, headers: answer.headers.map(([name, value]) => [name, fresh(name, value) ? '…' : value]) };
}

const header = (answer: Answer, name: string) => answer.headers.find(([n]) => n.toLowerCase() === name)?.[1];

interface Pair {
  /** The server's own listener (server/main.ts): the fast path first, then Hono. */
  fast: string;
  /** The same app and parts with the fast path off. */
  hono: string;
  composed: ComposedServer;
  logger: Logger;
  /** Whether the fast path took each request to `fast`, in order. */
  taken: boolean[];
  lines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/** One composed server behind two listeners: with its status fast path and without. */
async function startPair(store: Store, settings: Record<string, string>): Promise<Pair> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'http://127.0.0.1',
    MERCHANT_API_KEY: 'merchant-key-0123456789',
    MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a',
    MIXPAY_API_BASE: 'http://127.0.0.1:9/v1',
    MIXPAY_PAY_BASE: 'http://127.0.0.1:9',
    MIXPAY_SANDBOX: '0',
    SERVE_DEMO: '0',
    ...settings,
  });
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const composed = await composeServer(config, store, () => {}, Date.now, { logger });
  const taken: boolean[] = [];
  const servers: Listening[] = [
    await listenNode(
      serverListener(composed.app, (incoming, outgoing) => {
        const answered = composed.statusFastPath(incoming, outgoing);
        taken.push(answered);
        return answered;
      }, '127.0.0.1'),
    ),
    await listenNode(serverListener(composed.app, () => false, '127.0.0.1')),
  ];
  return {
    fast: servers[0]!.url,
    hono: servers[1]!.url,
    composed,
    logger,
    taken,
    lines,
    async close() {
      for (const server of servers) await server.close();
      for (const stop of composed.stops) await stop();
    },
  };
}

for (const backend of await backends()) {
  for (const origins of ['*', `${SHOP},https://other.example`]) {
    describe(`the status fast path on ${backend.name}, ALLOWED_ORIGINS=${origins}`, () => {
      let store: TestStore;
      let pair: Pair;

      before(async () => {
        store = await backend.create();
        pair = await startPair(store, { ALLOWED_ORIGINS: origins });
        // On PostgreSQL the cache serves once the feed's LISTEN connection is up.
        const cache = pair.composed.merchant.feed.statusCache();
        await eventually(() => cache.live, 5000, 'the feed to listen');
      });
      after(async () => {
        await pair.close();
        await store.dispose();
      });

      /** A new order whose status document is in the cache (Hono's first answer put it there). */
      const cachedOrder = async () => {
        const [id] = await seedOrders(store, 1, { createdAt: () => Date.now() });
        const first = await ask(pair.hono, `/v1/orders/${id}/status`);
        assert.equal(first.status, 200);
        return { id: id!, etag: header(first, 'etag')! };
      };

      /** Asks both listeners; the fast path must have taken its request. */
      const both = async (path: string, headers: Record<string, string> = {}) => {
        const taken = pair.taken.length;
        const fast = await ask(pair.fast, path, headers);
        assert.deepEqual(pair.taken.slice(taken), [true], 'the fast path answered');
        const hono = await ask(pair.hono, path, headers);
        return { fast, hono };
      };

      test('a cache hit gets the answer Hono sends, header for header: 200, 304, any origin, a query string', async () => {
        const { id, etag } = await cachedOrder();
        const path = `/v1/orders/${id}/status`;
        const cases: Array<Record<string, string>> = [{}, { origin: SHOP }, { origin: 'https://stranger.example' }, { 'if-none-match': etag }, { 'if-none-match': etag, origin: SHOP }, { 'if-none-match': 'W/"other"' }];
        for (const headers of cases) {
          const { fast, hono } = await both(path, headers);
          assert.deepEqual(comparable(fast), comparable(hono), JSON.stringify(headers));
        }
        const { fast, hono } = await both(`${path}?lang=de&t=1`);
        assert.deepEqual(comparable(fast), comparable(hono));
        assert.equal(fast.status, 200);
        assert.equal(JSON.parse(fast.body).order_id, id);
        assert.equal(header(fast, 'content-length'), String(Buffer.byteLength(fast.body)));
        assert.equal(header(fast, 'content-type'), 'application/json');
        assert.equal(header(fast, 'cache-control'), 'no-cache');
        assert.equal(header(fast, 'etag'), etag);
      });

      test('If-None-Match with the ETag gets a bodiless 304', async () => {
        const { id, etag } = await cachedOrder();
        const { fast } = await both(`/v1/orders/${id}/status`, { 'if-none-match': etag });
        assert.equal(fast.status, 304);
        assert.equal(fast.body, '');
        assert.equal(header(fast, 'etag'), etag);
        assert.equal(header(fast, 'cache-control'), 'no-cache');
        assert.equal(header(fast, 'content-type'), undefined);
      });

      test('CORS: the allowed origin is named, any other gets none', async () => {
        const { id } = await cachedOrder();
        const path = `/v1/orders/${id}/status`;
        const allowed = (await both(path, { origin: SHOP })).fast;
        const stranger = (await both(path, { origin: 'https://stranger.example' })).fast;
        assert.equal(header(allowed, 'access-control-expose-headers'), 'etag');
        if (origins === '*') {
          assert.equal(header(allowed, 'access-control-allow-origin'), '*');
          assert.equal(header(stranger, 'access-control-allow-origin'), '*');
        } else {
          assert.equal(header(allowed, 'access-control-allow-origin'), SHOP);
          assert.equal(header(allowed, 'vary'), 'Origin');
          assert.equal(header(stranger, 'access-control-allow-origin'), undefined);
          assert.equal(header(stranger, 'vary'), 'Origin');
        }
      });

      test('x-request-id: the client\'s own when sane, else a fresh one', async () => {
        const { id } = await cachedOrder();
        const path = `/v1/orders/${id}/status`;
        assert.equal(header((await both(path, { 'x-request-id': 'shop-req.42:a' })).fast, 'x-request-id'), 'shop-req.42:a');
        assert.match(header((await both(path, { 'x-request-id': 'a b'.padEnd(200, 'x') })).fast, 'x-request-id') ?? '', /^[0-9a-f-]{36}$/);
        const fresh = [header((await both(path)).fast, 'x-request-id'), header((await both(path)).fast, 'x-request-id')];
        for (const given of fresh) assert.match(given ?? '', /^[0-9a-f-]{36}$/);
        assert.notEqual(fresh[0], fresh[1]);
      });

      test('its answers count in the metrics under the route pattern, as Hono\'s do', async () => {
        const { id, etag } = await cachedOrder();
        const scrape = async () => (await ask(pair.hono, '/metrics')).body;
        const labels = (status: string) => ({ method: 'GET', route: '/v1/orders/:id/status', status });
        const before = await scrape();
        const taken = pair.taken.length;
        for (let i = 0; i < 3; i++) await ask(pair.fast, `/v1/orders/${id}/status`);
        for (let i = 0; i < 2; i++) await ask(pair.fast, `/v1/orders/${id}/status`, { 'if-none-match': etag });
        assert.deepEqual(pair.taken.slice(taken), [true, true, true, true, true]);
        const after = await scrape();
        const moved = (name: string, status: string) => sample(after, name, labels(status))! - (sample(before, name, labels(status)) ?? 0);
        assert.equal(moved('mixpay_checkout_http_requests_total', '200'), 3);
        assert.equal(moved('mixpay_checkout_http_requests_total', '304'), 2);
        assert.equal(moved('mixpay_checkout_http_request_duration_seconds_count', '200'), 3);
        assert.equal(moved('mixpay_checkout_http_request_duration_seconds_count', '304'), 2);
        assert.doesNotMatch(after, new RegExp(`route="[^"]*${id}`), 'no series names an order');
      });

      test('at info a poll writes no line; at debug polls go through Hono, which logs them', async () => {
        const { id } = await cachedOrder();
        const path = `/v1/orders/${id}/status`;
        const lines = pair.lines.length;
        await both(path);
        assert.equal(pair.lines.length, lines, 'status polls are logged at debug');
        pair.logger.level = 'debug';
        try {
          const taken = pair.taken.length;
          const answer = await ask(pair.fast, path, { 'x-request-id': 'poll-at-debug' });
          assert.equal(answer.status, 200);
          assert.deepEqual(pair.taken.slice(taken), [false]);
          const line = pair.lines.find((record) => record.req_id === 'poll-at-debug');
          assert.deepEqual({ level: line?.level, method: line?.method, path: line?.path, status: line?.status }, { level: 'debug', method: 'GET', path, status: 200 });
        } finally {
          pair.logger.level = 'info';
        }
      });

      test('a change through transitionOrder or patchOrder shows at the next polls', async () => {
        const { id, etag } = await cachedOrder();
        const path = `/v1/orders/${id}/status`;
        await transitionOrder(store.db, id, 'PENDING', 'test', {}, null, Date.now());
        // PostgreSQL: the feed hears of it through NOTIFY, a few milliseconds after the commit.
        await eventually(async () => (await ask(pair.fast, path, { 'if-none-match': etag })).status === 200, 5000, 'the new version');
        const { fast: pending } = await both(path);
        assert.equal(JSON.parse(pending.body).status, 'PENDING');
        await patchOrder(store.db, id, { failure_reason: 'patched' }, Date.now());
        await eventually(async () => JSON.parse((await ask(pair.fast, path)).body).version === 3, 5000, 'the patched version');
        const { fast: patched } = await both(path);
        assert.equal(JSON.parse(patched.body).version, 3);
        assert.notEqual(header(patched, 'etag'), header(pending, 'etag'));
      });

      test('a change made by another process shows at the next poll', async () => {
        const other = openStore(store.url);
        try {
          const { id } = await cachedOrder();
          const path = `/v1/orders/${id}/status`;
          assert.equal(JSON.parse((await both(path)).fast.body).status, 'NEW');
          // SQLite: nothing in this process hears of it; the file's data_version moves.
          if (backend.name === 'postgres') await transitionOrder(other.db, id, 'PAID', 'test', {}, null, Date.now());
          else await sql`update orders set status = 'PAID', version = version + 1 where id = ${id}`.execute(other.db);
          await eventually(async () => JSON.parse((await ask(pair.fast, path)).body).status === 'PAID', 5000, 'the other process\'s change');
        } finally {
          await other.close();
        }
      });

      test('unknown ids, other methods and other paths go to Hono and get its answers', async () => {
        const { id, etag } = await cachedOrder();
        const requests: Array<[string, string, Record<string, string>?]> = [
          ['GET', `/v1/orders/${randomUUID()}/status`],
          ['GET', '/v1/orders/not-an-id/status'],
          ['HEAD', `/v1/orders/${id}/status`],
          ['POST', `/v1/orders/${id}/status`],
          ['OPTIONS', `/v1/orders/${id}/status`, { origin: SHOP, 'access-control-request-method': 'GET' }],
          ['GET', `/v1/orders/${id}/status/`],
          ['GET', `/v1/orders/${id}/events-not`],
          ['GET', `/v1//orders/${id}/status`],
          ['GET', `/v1/orders/${id.toUpperCase().replace('A', '%41')}/status`, { 'if-none-match': etag }],
        ];
        for (const [method, path, headers] of requests) {
          const taken = pair.taken.length;
          const fast = await ask(pair.fast, path, headers, method);
          assert.deepEqual(pair.taken.slice(taken), [false], `${method} ${path}`);
          const hono = await ask(pair.hono, path, headers, method);
          assert.deepEqual(comparable(fast), comparable(hono), `${method} ${path}`);
        }
        assert.equal((await ask(pair.fast, `/v1/orders/${randomUUID()}/status`)).status, 404);
      });
    });
  }
}
