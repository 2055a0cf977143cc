/**
 * Inputs an outside reviewer threw at the broker endpoints that once got a 5xx, a wrong code, or
 * were accepted only to break a later step (the redirect, the Mixin transfer). Unlike the other
 * API tests, no 5xx is tolerated here, not even with the envelope.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, deflateSync } from 'node:zlib';
import http from 'node:http';
import { listen } from '../support/http.ts';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { applyWalletState, recordWalletEvent } from '../../server/broker/payment-sync.ts';
import { pollOpenOrders } from '../../server/broker/workers/reconciler.ts';
import { runDueJobs } from '../../server/broker/workers/job-runner.ts';
import { handleIncoming } from '../../server/broker/workers/refund-watcher.ts';
import { encodeMixPayMemo } from '../../server/core/mixpay-memo.ts';
import { randomUUID } from 'node:crypto';
import { assertBrokerError, callBroker, jsonPost, type BrokerAnswer } from '../support/broker-http.ts';
import { BTC, MIXPAY_BOT, orderBody, PAYEE, testConfig, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';

type Answer = BrokerAnswer;

// No 5xx is tolerated here, not even with the envelope.
const call = (app: ReturnType<typeof createBrokerApp>, path: string, init?: RequestInit) => callBroker(app, path, init);
const json = (body: unknown): RequestInit => jsonPost(body);
const assertParameterError = (answer: Answer, field: string) => assertBrokerError(answer, 11000, field, { anchored: true });

/** Names every plain object inherits: a lookup by a client's string must not find them. */
const INHERITED = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

for (const backend of await backends()) {
  describe(`broker API against hostile input (${backend.name})`, () => {
    let store: TestStore;
    let deps: TestDeps;
    let app: ReturnType<typeof createBrokerApp>;
    before(async () => {
      store = await backend.create();
      // The non-ASCII return_url cases below name these hosts.
      deps = testDeps(store, testConfig({ mixpay: { bot_ids: [MIXPAY_BOT], return_hosts: ['mixpay.me', 'a.example', 'xn--r8jz45g.jp'] } }));
      app = createBrokerApp(deps);
      await syncBalances(deps);
    });
    after(() => store.dispose());

    test('a wallet named like an inherited property is unknown, not a crash', async () => {
      for (const name of INHERITED) {
        assertParameterError(await call(app, `/assets/range?payee_id=${PAYEE}&wallet=${encodeURIComponent(name)}`), 'wallet');
        assertParameterError(await call(app, '/create_order', json(orderBody(deps.now(), { wallet: name }))), 'wallet');
        const hook = await call(app, `/webhooks/${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        assert.equal(hook.status, 404);
        assert.equal(hook.body.code, 11000);
      }
    });

    test('a form field named like an inherited property is read as itself', async () => {
      const body = new URLSearchParams(Object.entries(orderBody(deps.now())).map(([k, v]) => [k, String(v)]));
      body.append('toString', 'x');
      body.append('constructor', 'y');
      const answer = await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
      assert.equal(answer.body.code, 0, answer.body.message);
    });

    test('return_url with control characters or spaces is refused, so the redirect cannot break', async () => {
      for (const url of ['https://a.example/\nSet-Cookie: x=1', 'https://a.example/\r\n', 'https://a.example/\u0000', 'https://a.example/\tx', ' https://a.example/', 'https://a.example/ x', 'https://a.example/\u007f']) {
        assertParameterError(await call(app, '/create_order', json(orderBody(deps.now(), { return_url: url }))), 'return_url');
      }
    });

    test('the return redirect sends an ASCII Location for an accepted non-ASCII return_url', async () => {
      for (const url of ['https://例え.jp/パス?q=é#frag', 'https://a.example/café']) {
        const body = orderBody(deps.now(), { amount: '1', return_url: url });
        assert.equal((await call(app, '/create_order', json(body))).body.code, 0);
        const response = await app.request(`/return/${body.trace_id}`);
        assert.equal(response.status, 302);
        const location = response.headers.get('location') ?? '';
        assert.match(location, /^[\x21-\x7e]+$/, location);
        assert.equal(new URL(location).href, new URL(url).href);
      }
    });

    test('memo must fit what Mixin takes (200 bytes) and hold no control characters', async () => {
      assert.equal((await call(app, '/create_order', json(orderBody(deps.now(), { amount: '1', memo: 'm'.repeat(200) })))).body.code, 0);
      for (const memo of ['😀'.repeat(51), 'é'.repeat(101), 'm'.repeat(201), 'a\u0000b', 'a\nb', '\t', '   ']) {
        assertParameterError(await call(app, '/create_order', json(orderBody(deps.now(), { amount: '1', memo }))), 'memo');
      }
    });

    test('a gzip or deflate body is read; another content-encoding is a parameter error', async () => {
      for (const [encoding, pack] of [['gzip', gzipSync], ['deflate', deflateSync]] as const) {
        const body = orderBody(deps.now(), { amount: '1' });
        const answer = await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': encoding }, body: pack(JSON.stringify(body)) });
        assert.equal(answer.body.code, 0, answer.body.message);
        assert.equal((await findOrder(store.db, body.trace_id as string))?.status, 'NEW');
      }
      assertParameterError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: 'not gzip' }), 'body');
      assertParameterError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'compress' }, body: '{}' }), 'body');
      // A small body that inflates past the limit is refused like a large one.
      const bomb = await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(Buffer.alloc(5 * 1024 * 1024, 32)) });
      assert.equal(bomb.status, 413);
      assertParameterError(bomb, 'body');
    });

    test('an order whose request died while creating holds the balance only until it expires', async () => {
      const body = orderBody(deps.now(), { amount: '50', expired_at: Math.floor(deps.now() / 1000) + 60 });
      // What a crash between the reservation and the wallet's answer leaves behind.
      await store.db
        .insertInto('broker_orders')
        .values({
          payee_id: PAYEE, wallet: 'binance', asset_id: body.asset_id as string, amount: '50', trace_id: body.trace_id as string, memo: 'm',
          expired_at: (body.expired_at as number) * 1000, return_url: 'https://a.example/', opponent_id: body.opponent_id as string,
          fee_amount: '0.5', pay_amount: '50.5', currency: 'USDT', status: 'CREATING', upstream_id: null, checkout_url: null, deep_link: null,
          universal_url: null, paid_at: null, settled_at: null, settlement_snapshot_id: null, refund_code: null, refund_reason: null, refunded_at: null,
          created_at: deps.now(), updated_at: deps.now(),
        })
        .execute();
      deps.clock.now += 10 * 60_000;
      try {
        const later = await call(app, '/create_order', json(orderBody(deps.now(), { amount: '60' })));
        assert.equal(later.body.code, 0, `the dead reservation still holds the balance: ${later.body.message}`);
      } finally {
        deps.clock.now = Date.now();
      }
    });

    test('an order settled after the last balance sync still counts against the synced balance', async () => {
      // The synced balance (1 BTC) predates this transfer: until the next sync it must not be spent again.
      await store.db.deleteFrom('broker_orders').where('asset_id', '=', BTC).execute();
      deps.fakeMixin.balances.set(BTC, '0.0001');
      await syncBalances(deps);
      const first = orderBody(deps.now(), { asset_id: BTC, amount: '0.00008' });
      assert.equal((await call(app, '/create_order', json(first))).body.code, 0);
      await applyWalletState(deps, (await findOrder(store.db, first.trace_id as string))!, 'paid', deps.now());
      await runDueJobs(deps);
      assert.equal((await findOrder(store.db, first.trace_id as string))?.status, 'SETTLED');
      const second = await call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.00008' })));
      assert.equal(second.body.code, 11002, 'the bot promised money it had already sent');
      // A later sync (here: the operator topped the bot back up to 0.0001) no longer counts it.
      deps.fakeMixin.balances.set(BTC, '0.0001');
      deps.clock.now += 1000;
      await syncBalances(deps);
      const third = await call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.00008' })));
      deps.clock.now = Date.now();
      assert.equal(third.body.code, 0, third.body.message);
    });

    test('after a 413 the client is told to close, so its next request on the same connection works', async () => {
      const server = await listen(app.fetch);
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const send = (method: string, path: string, write?: (request: http.ClientRequest) => void) =>
        new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
          const headers = write ? { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } : {};
          const request = http.request(`${server.url}${path}`, { method, agent, headers }, (response) => {
            let body = '';
            response.on('data', (chunk) => (body += chunk));
            response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, body }));
          });
          request.on('error', reject);
          write?.(request);
          request.end();
        });
      try {
        const big = await send('POST', '/create_order', (request) => {
          for (let i = 0; i < 50; i++) request.write('x'.repeat(10_000));
        });
        assert.equal(big.status, 413);
        assert.equal(big.connection, 'close');
        assert.equal(JSON.parse(big.body).code, 11000);
        const next = await send('GET', `/assets/range?payee_id=${PAYEE}&wallet=binance`);
        assert.equal(next.status, 200);
      } finally {
        agent.destroy();
        await server.close();
      }
    });

    test('a verified notification naming no broker order is logged, whatever its id holds', async () => {
      for (const traceId of ['a\u0000b', 'x'.repeat(100), 'constructor', '']) {
        await recordWalletEvent(deps, 'binance', { traceId, upstreamId: 'up', state: 'paid' });
        assert.ok(deps.logs.some((line) => line.includes('notification for unknown order')), JSON.stringify(traceId));
      }
    });

    test('the poller reaches every open order in turn, not only the oldest ones', async () => {
      // More open orders than one poll asks about; the newest is paid and its notification lost.
      deps.fakeMixin.balances.set(USDT, '1000');
      await syncBalances(deps);
      const traces: string[] = [];
      for (let i = 0; i < 6; i++) {
        const body = orderBody(deps.now(), { amount: '0.1' });
        assert.equal((await call(app, '/create_order', json(body))).body.code, 0);
        traces.push(body.trace_id as string);
        deps.clock.now += 1;
      }
      const paid = (await findOrder(store.db, traces[5]!))!;
      deps.wallet.states.set(paid.upstream_id!, 'paid');
      const openBefore = await store.db.selectFrom('broker_orders').select('trace_id').where('status', '=', 'NEW').execute();
      try {
        for (let round = 0; round < Math.ceil(openBefore.length / 3) + 1; round++) {
          deps.clock.now += 1000;
          await pollOpenOrders(deps, 3);
        }
        assert.equal((await findOrder(store.db, traces[5]!))?.status, 'PAID', 'a paid order beyond the first page was never asked about');
      } finally {
        deps.clock.now = Date.now();
      }
    });

    test('a refund memo from anyone but the bot the broker paid, or for another amount, refunds nobody', async () => {
      deps.fakeMixin.balances.set(USDT, '1000');
      await syncBalances(deps);
      const body = orderBody(deps.now(), { amount: '10' });
      assert.equal((await call(app, '/create_order', json(body))).body.code, 0);
      const trace = body.trace_id as string;
      await applyWalletState(deps, (await findOrder(store.db, trace))!, 'paid', deps.now());
      await runDueJobs(deps);
      assert.equal((await findOrder(store.db, trace))?.status, 'SETTLED');
      const snapshot = (opponent: string, amount: string) => ({
        snapshot_id: randomUUID(), type: 'transfer', asset_id: USDT, amount, opponent_id: opponent, trace_id: randomUUID(),
        memo: encodeMixPayMemo('RF', trace, '40000'), created_at: new Date(deps.now()).toISOString(),
      });
      // The customer (or anyone) sends the bot a cent with MixPay's refund memo for their paid order.
      const forged = await handleIncoming(deps, snapshot(randomUUID(), '0.00000001'));
      assert.equal(forged?.outcome, 'unmatched');
      // Even from MixPay's bot, a refund of another amount goes to the operator, not to the customer.
      const partial = await handleIncoming(deps, snapshot(MIXPAY_BOT, '5'));
      assert.equal(partial?.outcome, 'unmatched');
      assert.equal((await findOrder(store.db, trace))?.status, 'SETTLED');
      const refundJobs = await store.db.selectFrom('broker_jobs').select('id').where('trace_id', '=', trace).where('kind', '=', 'wallet_refund').execute();
      assert.equal(refundJobs.length, 0, 'a forged refund queued a refund to the customer');
      assert.ok(deps.alertsSent.some((a) => a.kind === 'unmatched_transfer' && a.message.includes('0.00000001')));
      // MixPay's bot returning exactly the amount is the real thing.
      assert.equal((await handleIncoming(deps, snapshot(MIXPAY_BOT, '10')))?.outcome, 'mixpay_refund');
      assert.equal((await findOrder(store.db, trace))?.status, 'MIXPAY_REFUNDED');
    });

    test('a known path with the wrong method is 405 naming the method, in the envelope', async () => {
      for (const [path, allowed, methods] of [
        [`/assets/range?payee_id=${PAYEE}&wallet=binance`, 'GET', ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']],
        ['/create_order', 'POST', ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']],
        [`/return/${randomUUID()}`, 'GET', ['POST', 'DELETE']],
        ['/webhooks/binance', 'POST', ['GET', 'PUT']],
      ] as const) {
        for (const method of methods) {
          const response = await app.request(path, { method });
          assert.equal(response.status, 405, `${method} ${path}`);
          assert.match(response.headers.get('allow') ?? '', new RegExp(allowed));
          const body = await response.json();
          assert.equal(body.code, 11000);
          assert.match(body.message, new RegExp(`takes ${allowed}, not ${method}`));
        }
      }
      assert.equal((await app.request('/nowhere', { method: 'PUT' })).status, 404);
    });
  });
}
