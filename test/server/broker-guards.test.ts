/**
 * Issue 13 High 1 and Medium 5: only MixPay can reserve the bot's balance, and our return link
 * redirects nowhere but MixPay. Each check a stranger meets, and each refusal in the protocol's
 * own envelope and code.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { parseBrokerConfig } from '../../server/broker/config.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { MIXPAY_BOT, orderBody, PAYEE, testConfig, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';

type Answer = { status: number; body: { code: number; success: boolean; message: string; data: unknown } };
const post = (body: unknown, from?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(from ? { 'x-forwarded-for': from } : {}) },
  body: JSON.stringify(body),
});

function refused(answer: Answer, code: number, field?: string) {
  assert.equal(answer.body.code, code, JSON.stringify(answer.body));
  assert.equal(answer.body.success, false);
  assert.deepEqual(answer.body.data, []);
  if (field) assert.match(answer.body.message, new RegExp(`^Parameter error: ${field}\\b`));
}

for (const backend of await backends()) {
  describe(`broker guards (${backend.name})`, () => {
    let store: TestStore;
    const worlds: TestDeps[] = [];
    /** An app over the shared store with these `mixpay` settings (bot_ids defaults to MixPay's). */
    async function broker(mixpay: Record<string, unknown> = {}, trustProxy = false) {
      const deps = testDeps(store, testConfig({ mixpay: { bot_ids: [MIXPAY_BOT], ...mixpay } }));
      deps.trustProxy = trustProxy;
      deps.fakeMixin.balances.set(USDT, '100');
      await syncBalances(deps);
      worlds.push(deps);
      const app = createBrokerApp(deps);
      const call = async (path: string, init?: RequestInit): Promise<Answer> => {
        const response = await app.request(path, init);
        return { status: response.status, body: (await response.json()) as Answer['body'] };
      };
      return { deps, app, call };
    }
    before(async () => {
      store = await backend.create();
    });
    after(() => store.dispose());

    test('opponent_id must be MixPay bot, by the one id rule', async () => {
      const { deps, call } = await broker();
      const stranger = orderBody(deps.now(), { amount: '1', opponent_id: randomUUID() });
      refused(await call('/create_order', post(stranger)), 11000, 'opponent_id');
      assert.equal(await findOrder(store.db, stranger.trace_id as string), undefined);
      const spelled = orderBody(deps.now(), { amount: '1', opponent_id: MIXPAY_BOT.replace(/-/g, '').toUpperCase() });
      assert.equal((await call('/create_order', post(spelled))).body.code, 0);
    });

    test('with mixpay.source_ips, only those callers get limits or orders (TRUST_PROXY as for callbacks)', async () => {
      const { deps, call } = await broker({ source_ips: ['203.0.113.7'] }, true);
      refused(await call(`/assets/range?payee_id=${PAYEE}&wallet=binance`, { headers: { 'x-forwarded-for': '198.51.100.1' } }), 11001);
      refused(await call('/create_order', post(orderBody(deps.now(), { amount: '1' }), '198.51.100.1')), 11001);
      // The proxy appends the real caller: an entry the client wrote before it counts for nothing.
      refused(await call('/create_order', post(orderBody(deps.now(), { amount: '1' }), '203.0.113.7, 198.51.100.1')), 11001);
      assert.equal((await call(`/assets/range?payee_id=${PAYEE}&wallet=binance`, { headers: { 'x-forwarded-for': '203.0.113.7' } })).body.code, 0);
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { amount: '1' }), '198.51.100.1, 203.0.113.7'))).body.code, 0);
      // Without TRUST_PROXY the header is ignored; a caller whose address is unknown is not on the list.
      const direct = await broker({ source_ips: ['203.0.113.7'] }, false);
      refused(await direct.call('/create_order', post(orderBody(deps.now(), { amount: '1' }), '203.0.113.7')), 11001);
    });

    test('expired_at may lie at most mixpay.max_expiry_minutes ahead (30 by default)', async () => {
      const { deps, call } = await broker();
      const at = (minutes: number) => Math.floor(deps.now() / 1000) + minutes * 60;
      refused(await call('/create_order', post(orderBody(deps.now(), { amount: '1', expired_at: at(31) }))), 11000, 'expired_at');
      refused(await call('/create_order', post(orderBody(deps.now(), { amount: '1', expired_at: at(48 * 60) }))), 11000, 'expired_at');
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { amount: '1', expired_at: at(29) })))).body.code, 0);
      const longer = await broker({ max_expiry_minutes: 120 });
      assert.equal((await longer.call('/create_order', post(orderBody(deps.now(), { amount: '1', expired_at: at(119) })))).body.code, 0);
      // Never beyond MixPay's own 2880 minutes, whatever is configured.
      assert.throws(() => testConfig({ mixpay: { bot_ids: [MIXPAY_BOT], max_expiry_minutes: 2881 } }), /mixpay\.max_expiry_minutes/);
    });

    test('return_url must be on mixpay.return_hosts, and the return link never redirects elsewhere', async () => {
      const { deps, app, call } = await broker();
      for (const url of ['https://evil.example/', 'https://mixpay.me.evil.example/', 'https://evilmixpay.me/', 'https://evil.example/https://mixpay.me/']) {
        refused(await call('/create_order', post(orderBody(deps.now(), { amount: '1', return_url: url }))), 11000, 'return_url');
      }
      for (const url of ['https://mixpay.me/pay', 'https://pay.MIXPAY.me/x']) {
        const body = orderBody(deps.now(), { amount: '1', return_url: url });
        assert.equal((await call('/create_order', post(body))).body.code, 0);
        assert.equal((await app.request(`/return/${body.trace_id}`)).status, 302);
      }
      // An order stored before the check (or by hand) is not followed off MixPay's hosts.
      const trace = randomUUID();
      await store.db
        .insertInto('broker_orders')
        .values({
          trace_id: trace, payee_id: PAYEE, wallet: 'binance', asset_id: USDT, amount: '1', fee_amount: '0', pay_amount: '1', currency: 'USDT', memo: 'm',
          expired_at: deps.now() + 60_000, return_url: 'https://evil.example/', opponent_id: MIXPAY_BOT, status: 'NEW', created_at: deps.now(), updated_at: deps.now(),
        })
        .execute();
      const answer = await app.request(`/return/${trace}`);
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('location'), null);
      assert.equal(((await answer.json()) as Answer['body']).code, 11000);
      // Other hosts are the operator's choice.
      const own = await broker({ return_hosts: ['shop.example'] });
      assert.equal((await own.call('/create_order', post(orderBody(deps.now(), { amount: '1', return_url: 'https://a.shop.example/' })))).body.code, 0);
    });

    test('a payee may hold at most caps.payee open orders and reserved_percent of the balance', async () => {
      const { deps, call } = await broker({ caps: { payee: { open_orders: 2, reserved_percent: 50 } } });
      const payee = randomUUID();
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: payee, amount: '30' })))).body.code, 0);
      refused(await call('/create_order', post(orderBody(deps.now(), { payee_id: payee, amount: '30' }))), 11002);
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: payee, amount: '10' })))).body.code, 0);
      refused(await call('/create_order', post(orderBody(deps.now(), { payee_id: payee, amount: '1' }))), 11002);
      // Another payee is not held back by this one's cap.
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: randomUUID(), amount: '1' })))).body.code, 0);
    });

    test('a source may hold at most caps.source open orders (off by default: MixPay calls from few addresses)', async () => {
      const { deps, call } = await broker({ caps: { source: { open_orders: 2, reserved_percent: 100 } } }, true);
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: randomUUID(), amount: '1' }), '198.51.100.9'))).body.code, 0);
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: randomUUID(), amount: '1' }), '198.51.100.9'))).body.code, 0);
      refused(await call('/create_order', post(orderBody(deps.now(), { payee_id: randomUUID(), amount: '1' }), '198.51.100.9')), 11002);
      assert.equal((await call('/create_order', post(orderBody(deps.now(), { payee_id: randomUUID(), amount: '1' }), '198.51.100.10'))).body.code, 0);
      assert.equal(parseBrokerConfig(JSON.parse(JSON.stringify(testConfig()))).mixpay.caps.source.open_orders, null);
    });

    test('the config refuses to start without MixPay bot id', () => {
      const raw = JSON.parse(JSON.stringify(testConfig()));
      delete raw.mixpay;
      assert.throws(() => parseBrokerConfig(raw), /mixpay\.bot_ids/);
    });
  });
}
