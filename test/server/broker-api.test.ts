/** MixPay's two calls on the broker: validation, permission, balance, idempotency and the envelope. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { pollOpenOrders } from '../../server/broker/workers/reconciler.ts';
import { assertBrokerError, callBroker, jsonPost, type BrokerAnswer } from '../support/broker-http.ts';
import { BTC, DENIED_PAYEE, orderBody, PAYEE, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';

type Answer = BrokerAnswer;

// Cases here may expect 11002 with its 5xx (a wallet down, a balance short).
const call = (app: ReturnType<typeof createBrokerApp>, path: string, init?: RequestInit) => callBroker(app, path, init, { allowUnavailable: true });
const json = (body: unknown): RequestInit => jsonPost(body);
const form = (body: Record<string, unknown>): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString(),
});

const assertError = (answer: Answer, code: number, field?: string) => assertBrokerError(answer, code, field);

for (const backend of await backends()) {
  describe(`broker API (${backend.name})`, () => {
    let store: TestStore;
    let deps: TestDeps;
    let app: ReturnType<typeof createBrokerApp>;
    before(async () => {
      store = await backend.create();
      deps = testDeps(store);
      app = createBrokerApp(deps);
      await syncBalances(deps);
    });
    after(() => store.dispose());

    test('assets/range lists the wallet assets as decimal strings', async () => {
      const answer = await call(app, `/assets/range?payee_id=${PAYEE}&wallet=binance`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.code, 0);
      assert.equal(answer.body.success, true);
      assert.deepEqual(answer.body.data[0], { asset_id: USDT, min: '0.10000000', max: '100.00000000', min_usdt: '0.10', max_usdt: '100.00', fee: '0.0100' });
      assert.equal(answer.body.data[1].asset_id, BTC);
    });

    test('assets/range refuses bad parameters with 11000 naming the field', async () => {
      assertError(await call(app, '/assets/range?wallet=binance'), 11000, 'payee_id');
      assertError(await call(app, `/assets/range?payee_id=${PAYEE}`), 11000, 'wallet');
      assertError(await call(app, '/assets/range?payee_id=not-a-uuid&wallet=binance'), 11000, 'payee_id');
      assertError(await call(app, `/assets/range?payee_id=${PAYEE}-0000&wallet=binance`), 11000, 'payee_id');
      assertError(await call(app, `/assets/range?payee_id=${PAYEE}&wallet=${'x'.repeat(21)}`), 11000, 'wallet');
      assertError(await call(app, `/assets/range?payee_id=${PAYEE}&wallet=paypal`), 11000, 'wallet');
      assertError(await call(app, `/assets/range?payee_id=${PAYEE}&wallet=binance&wallet=mugglepay`), 11000, 'wallet');
    });

    test('assets/range answers 11001 for denied payees and payees outside an allow-list', async () => {
      const denied = await call(app, `/assets/range?payee_id=${DENIED_PAYEE}&wallet=binance`);
      assertError(denied, 11001);
      assert.equal(denied.body.message, 'No permission');
      assertError(await call(app, `/assets/range?payee_id=${DENIED_PAYEE}&wallet=mugglepay`), 11001);
      const allowed = await call(app, `/assets/range?payee_id=${PAYEE.replace(/-/g, '').toUpperCase()}&wallet=mugglepay`);
      assert.equal(allowed.body.code, 0);
    });

    test('create_order answers the wallet links and stores amount + fee as what the customer pays', async () => {
      const body = orderBody(deps.now());
      const answer = await call(app, '/create_order', json(body));
      assert.equal(answer.body.code, 0, answer.body.message);
      assert.deepEqual(Object.keys(answer.body.data).sort(), ['checkout_url', 'deep_link', 'universal_url']);
      const order = await findOrder(store.db, body.trace_id as string);
      assert.equal(order?.status, 'NEW');
      assert.equal(order?.amount, '10.5');
      assert.equal(order?.fee_amount, '0.105');
      assert.equal(order?.pay_amount, '10.605');
      assert.equal(deps.wallet.created.at(-1)?.amount, '10.605');
      assert.equal(deps.wallet.created.at(-1)?.returnUrl, `https://broker.example/mixpay/return/${body.trace_id}`);
    });

    test('create_order accepts form bodies, multipart bodies, JSON numbers and expired_at in milliseconds', async () => {
      const formAnswer = await call(app, '/create_order', form(orderBody(deps.now())));
      assert.equal(formAnswer.body.code, 0, formAnswer.body.message);
      const multipart = new FormData();
      for (const [k, v] of Object.entries(orderBody(deps.now()))) multipart.set(k, String(v));
      const multiAnswer = await call(app, '/create_order', { method: 'POST', body: multipart });
      assert.equal(multiAnswer.body.code, 0, multiAnswer.body.message);
      const ms = orderBody(deps.now(), { amount: 0.25, expired_at: deps.now() + 600_000 });
      assert.equal((await call(app, '/create_order', json(ms))).body.code, 0);
      const stored = await findOrder(store.db, ms.trace_id as string);
      assert.equal(Number(stored?.expired_at), ms.expired_at);
      assert.equal(stored?.amount, '0.25');
    });

    test('every missing field is 11000 naming it', async () => {
      for (const field of ['payee_id', 'wallet', 'asset_id', 'amount', 'trace_id', 'memo', 'expired_at', 'return_url', 'opponent_id']) {
        const body = orderBody(deps.now());
        delete body[field];
        assertError(await call(app, '/create_order', json(body)), 11000, field);
      }
    });

    test('every malformed field is 11000 naming it', async () => {
      const now = deps.now();
      const cases: Array<[string, unknown]> = [
        ['payee_id', 'abc'],
        ['payee_id', 42],
        ['wallet', ''],
        ['wallet', 'w'.repeat(21)],
        ['wallet', 'unknown'],
        ['asset_id', 'not-uuid'],
        ['asset_id', randomUUID()],
        ['amount', '0'],
        ['amount', '-1'],
        ['amount', '1.123456789'],
        ['amount', 'ten'],
        ['amount', '1e3'],
        ['amount', ' '],
        ['amount', 1e21],
        ['amount', '0.01'],
        ['amount', '100.00000001'],
        ['amount', { value: 1 }],
        ['amount', null],
        ['trace_id', 'x'],
        ['trace_id', ['a']],
        ['memo', ''],
        ['memo', 'm'.repeat(201)],
        ['expired_at', Math.floor(now / 1000) - 1],
        ['expired_at', now - 1],
        ['expired_at', 'soon'],
        ['expired_at', -5],
        ['expired_at', 1.5],
        ['expired_at', Math.floor(now / 1000) + 2 * 366 * 24 * 3600],
        ['return_url', 'javascript:alert(1)'],
        ['return_url', 'not a url'],
        ['return_url', `https://e.com/${'p'.repeat(200)}`],
        ['opponent_id', '123'],
      ];
      for (const [field, value] of cases) {
        assertError(await call(app, '/create_order', json(orderBody(now, { [field]: value }))), 11000, field);
      }
      assertError(await call(app, '/create_order', json(orderBody(now, { asset_id: BTC, amount: '0.001' }))), 11000, 'amount');
    });

    test('malformed requests still get the envelope', async () => {
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payee_id":' }), 11000, 'body');
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[1,2]' }), 11000, 'body');
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'null' }), 11000, 'body');
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 11000, 'payee_id');
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"payee_id":1' }), 11000, 'body');
      assert.equal((await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(orderBody(deps.now())) })).body.code, 0);
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' }), 11000, 'body');
      assertError(await call(app, '/create_order', { method: 'POST', body: '' }), 11000, 'payee_id');
      assertError(await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: 'garbage' }), 11000, 'body');
      const dup = form(orderBody(deps.now()));
      dup.body = `${dup.body}&amount=2`;
      assertError(await call(app, '/create_order', dup), 11000, 'amount');
      const huge = await call(app, '/create_order', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ memo: 'x'.repeat(100_000) }) });
      assert.equal(huge.status, 413);
      assertError(huge, 11000, 'body');
      const unknown = await call(app, '/nope');
      assert.equal(unknown.status, 404);
      assertError(unknown, 11000);
      assertError(await call(app, '/create_order'), 11000);
      assertError(await call(app, '/assets/range', { method: 'DELETE' }), 11000);
      assertError(await call(app, '/return/not-a-uuid'), 11000, 'trace_id');
      assertError(await call(app, `/return/${randomUUID()}`), 11000, 'trace_id');
    });

    test('the same create_order twice answers the same links with one wallet order; different fields are 11000', async () => {
      const body = orderBody(deps.now());
      const before = deps.wallet.created.length;
      const first = await call(app, '/create_order', json(body));
      const second = await call(app, '/create_order', form(body));
      assert.deepEqual(second.body, first.body);
      assert.equal(deps.wallet.created.length, before + 1);
      const sameAmountOtherText = await call(app, '/create_order', json({ ...body, amount: '10.50000000' }));
      assert.deepEqual(sameAmountOtherText.body, first.body);
      assertError(await call(app, '/create_order', json({ ...body, amount: '11' })), 11000, 'trace_id');
      assertError(await call(app, '/create_order', json({ ...body, memo: 'other' })), 11000, 'trace_id');
      assertError(await call(app, '/create_order', json({ ...body, opponent_id: randomUUID() })), 11000, 'trace_id');
    });

    test('concurrent duplicates make one wallet order and all get its links', async () => {
      const body = orderBody(deps.now(), { amount: '1' });
      deps.wallet.delayMs = 100;
      const before = deps.wallet.created.length;
      const answers = await Promise.all(Array.from({ length: 6 }, () => call(app, '/create_order', json(body))));
      deps.wallet.delayMs = 0;
      assert.equal(deps.wallet.created.length, before + 1);
      for (const answer of answers) assert.deepEqual(answer.body, answers[0]!.body);
      assert.equal(answers[0]!.body.code, 0);
    });

    test('a wallet failure is 11002 and the same request may try again', async () => {
      const body = orderBody(deps.now(), { amount: '1' });
      deps.wallet.failNext = true;
      assertError(await call(app, '/create_order', json(body)), 11002);
      assert.equal((await findOrder(store.db, body.trace_id as string))?.status, 'FAILED');
      const retry = await call(app, '/create_order', json(body));
      assert.equal(retry.body.code, 0);
    });

    test('11002 when the synced balance minus open orders cannot cover the amount, with an alert', async () => {
      deps.fakeMixin.balances.set(BTC, '0.00015');
      await syncBalances(deps);
      const first = await call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.0001' })));
      assert.equal(first.body.code, 0);
      const second = await call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.0001' })));
      assertError(second, 11002);
      assert.equal(second.body.message, 'This payment is unavailable.');
      assert.ok(deps.alertsSent.some((a) => a.kind === 'payment_unavailable'));
      // Once the first order has expired its promise is released.
      deps.clock.now += 20 * 60_000;
      const third = await call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.0001' })));
      assert.equal(third.body.code, 0, third.body.message);
      deps.clock.now = Date.now();
    });

    test('concurrent orders cannot spend the same balance twice', async () => {
      deps.fakeMixin.balances.set(BTC, '0.0003');
      // Orders deleted by hand leave their holds in the maintained sums until a sync recomputes them.
      await store.db.deleteFrom('broker_orders').where('asset_id', '=', BTC).execute();
      await syncBalances(deps);
      const answers = await Promise.all(Array.from({ length: 5 }, () => call(app, '/create_order', json(orderBody(deps.now(), { asset_id: BTC, amount: '0.0001' })))));
      assert.equal(answers.filter((a) => a.body.code === 0).length, 3);
      assert.equal(answers.filter((a) => a.body.code === 11002).length, 2);
    });

    test('no synced balance is 11002', async () => {
      await store.db.deleteFrom('broker_balances').where('asset_id', '=', USDT).execute();
      assertError(await call(app, '/create_order', json(orderBody(deps.now()))), 11002);
      await syncBalances(deps);
    });

    test('payees without permission get 11001 from create_order', async () => {
      assertError(await call(app, '/create_order', json(orderBody(deps.now(), { payee_id: DENIED_PAYEE }))), 11001);
      assertError(await call(app, '/create_order', json(orderBody(deps.now(), { payee_id: DENIED_PAYEE, wallet: 'mugglepay' }))), 11001);
    });

    test('random malformed bodies, queries and paths always get the envelope, never a 5xx', async () => {
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const pick = <T,>(list: T[]): T => list[Math.floor(random() * list.length)]!;
      const values: unknown[] = [
        '', ' ', 'null', '0', '-0', '1e309', 'NaN', 'Infinity', '0x10', '１２', '\u0000', '%00', '../../etc/passwd', '<script>', 'x'.repeat(5000), '😀'.repeat(50),
        0, -1, 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2, true, false, null, [], {}, ['1', '2'], { $gt: '' }, randomUUID(), randomUUID().toUpperCase(), randomUUID().replace(/-/g, ''),
      ];
      const fields = ['payee_id', 'wallet', 'asset_id', 'amount', 'trace_id', 'memo', 'expired_at', 'return_url', 'opponent_id', '__proto__', 'constructor'];
      for (let i = 0; i < 250; i++) {
        const body = orderBody(deps.now());
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) body[pick(fields)] = pick(values);
        const kind = pick(['json', 'form', 'text', 'raw']);
        const init: RequestInit =
          kind === 'json' ? json(body)
          : kind === 'form' ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v) ?? ''])).toString() }
          : kind === 'text' ? { method: 'POST', headers: { 'content-type': pick(['text/plain', 'application/json', '', 'application/octet-stream']) }, body: JSON.stringify(body).slice(0, Math.floor(random() * 400)) }
          : { method: 'POST', body: String(pick(values)) };
        const answer = await call(app, '/create_order', init);
        assert.ok([0, 11000, 11001, 11002].includes(answer.body.code), JSON.stringify(answer.body));
        assert.equal(typeof answer.body.message, 'string');
        const query = new URLSearchParams({ payee_id: String(pick(values)), wallet: String(pick(values)) });
        assert.ok([0, 11000, 11001].includes((await call(app, `/assets/range?${query}`)).body.code));
      }
      for (const path of ['/', '/%', '/assets', '/assets/range/x', '/create_order/', '/return/', '/return/%E0%A4%A', '/webhooks/binance', '/webhooks/nope', '/..%2f..%2f']) {
        for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
          const answer = await call(app, path, { method });
          assert.equal(answer.body.success, false, `${method} ${path}`);
          assert.equal(answer.body.code, 11000, `${method} ${path}`);
        }
      }
    });

    test('the poller settles a paid order, leaves a pending one, and closes an expired one the wallet forgot', async () => {
      const paid = orderBody(deps.now(), { amount: '1' });
      const pending = orderBody(deps.now(), { amount: '1' });
      const gone = orderBody(deps.now(), { amount: '1', expired_at: Math.floor(deps.now() / 1000) + 60 });
      for (const body of [paid, pending, gone]) assert.equal((await call(app, '/create_order', json(body))).body.code, 0);
      const upstream = async (body: Record<string, unknown>) => (await findOrder(store.db, body.trace_id as string))!.upstream_id!;
      deps.wallet.states.set(await upstream(paid), 'paid');
      deps.wallet.states.set(await upstream(gone), 'gone');
      await pollOpenOrders(deps, 500);
      assert.equal((await findOrder(store.db, paid.trace_id as string))?.status, 'PAID');
      const job = await store.db.selectFrom('broker_jobs').selectAll().where('trace_id', '=', paid.trace_id as string).executeTakeFirstOrThrow();
      assert.equal(job.kind, 'transfer');
      // Not yet expired: a wallet error is only logged.
      assert.equal((await findOrder(store.db, gone.trace_id as string))?.status, 'NEW');
      deps.clock.now += 120_000;
      await pollOpenOrders(deps, 500);
      deps.clock.now = Date.now();
      assert.equal((await findOrder(store.db, gone.trace_id as string))?.status, 'CLOSED');
      assert.equal((await findOrder(store.db, pending.trace_id as string))?.status, 'NEW');
    });

    test('return answers 302 to the stored return_url only', async () => {
      const body = orderBody(deps.now(), { amount: '1', return_url: 'https://mixpay.me/pay#/done' });
      await call(app, '/create_order', json(body));
      const response = await app.request(`/return/${body.trace_id}?to=https://evil.example`);
      assert.equal(response.status, 302);
      assert.equal(response.headers.get('location'), 'https://mixpay.me/pay#/done');
    });
  });
}
