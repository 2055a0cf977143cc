/**
 * Issue 13 Deliver 3 in the broker: every id comparison goes through core/ids.ts, so an id in
 * upper case or without dashes is the same id. One test per comparison site.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { applyWalletState } from '../../server/broker/payment-sync.ts';
import { runDueJobs } from '../../server/broker/workers/job-runner.ts';
import { handleIncoming } from '../../server/broker/workers/refund-watcher.ts';
import { encodeMixPayMemo } from '../../server/core/mixpay-memo.ts';
import { BTC, DENIED_PAYEE, MIXPAY_BOT, orderBody, PAYEE, testDeps, USDT, type TestDeps } from './broker-fixtures.ts';
import { jsonPost } from '../support/broker-http.ts';

const json = (body: unknown): RequestInit => jsonPost(body);
/** The same UUID as Mixin or MixPay might spell it: upper case, no dashes. */
const spelled = (id: string) => id.replace(/-/g, '').toUpperCase();

for (const backend of await backends()) {
  describe(`broker ids by the one rule (${backend.name})`, () => {
    let store: TestStore;
    let deps: TestDeps;
    let app: ReturnType<typeof createBrokerApp>;
    const create = async (body: Record<string, unknown>) => (await (await app.request('/create_order', json(body))).json()) as { code: number; message: string; data: unknown };

    before(async () => {
      store = await backend.create();
      deps = testDeps(store);
      app = createBrokerApp(deps);
      await syncBalances(deps);
    });
    after(() => store.dispose());

    test('a repeated create_order with the payee, asset and bot spelled otherwise is the same order', async () => {
      const body = orderBody(deps.now(), { amount: '1' });
      const first = await create(body);
      assert.equal(first.code, 0);
      const again = await create({ ...body, payee_id: spelled(PAYEE), asset_id: spelled(USDT), opponent_id: spelled(MIXPAY_BOT), trace_id: spelled(body.trace_id as string) });
      assert.equal(again.code, 0, again.message);
      assert.deepEqual(again.data, first.data);
    });

    test('payee allow and deny lists match any spelling', async () => {
      assert.equal((await create(orderBody(deps.now(), { wallet: 'mugglepay', payee_id: spelled(PAYEE), amount: '1' }))).code, 0);
      assert.equal((await create(orderBody(deps.now(), { payee_id: spelled(DENIED_PAYEE), amount: '1' }))).code, 11001);
      const range = (await (await app.request(`/assets/range?payee_id=${spelled(DENIED_PAYEE)}&wallet=binance`)).json()) as { code: number };
      assert.equal(range.code, 11001);
    });

    test('the return link finds its order by any spelling of the trace_id', async () => {
      const body = orderBody(deps.now(), { amount: '1' });
      assert.equal((await create(body)).code, 0);
      assert.equal((await app.request(`/return/${spelled(body.trace_id as string)}`)).status, 302);
    });

    test('a balance Mixin reports under another spelling of the asset id still covers orders', async () => {
      deps.fakeMixin.balances = new Map([[spelled(BTC), '0.0001'], [USDT, '100']]);
      await store.db.deleteFrom('broker_balances').where('asset_id', '=', BTC).execute();
      await syncBalances(deps);
      const answer = await create(orderBody(deps.now(), { asset_id: BTC, amount: '0.00005' }));
      assert.equal(answer.code, 0, answer.message);
    });

    test('a settlement snapshot and a refund naming the asset and bot in upper case match their order', async () => {
      deps.fakeMixin.balances = new Map([[USDT, '100'], [BTC, '1']]);
      await syncBalances(deps);
      const body = orderBody(deps.now(), { amount: '2' });
      assert.equal((await create(body)).code, 0);
      const trace = body.trace_id as string;
      const transfer = deps.fakeMixin.transfer.bind(deps.fakeMixin);
      deps.fakeMixin.transfer = async (request) => ({ ...(await transfer(request)), asset_id: spelled(request.asset_id) });
      await applyWalletState(deps, (await findOrder(store.db, trace))!, 'paid', deps.now());
      await runDueJobs(deps);
      assert.equal((await findOrder(store.db, trace))?.status, 'SETTLED');
      const refund = await handleIncoming(deps, {
        snapshot_id: randomUUID(), type: 'transfer', asset_id: spelled(USDT), amount: '2', opponent_id: spelled(MIXPAY_BOT), trace_id: randomUUID(),
        memo: encodeMixPayMemo('RF', spelled(trace), '40000'), created_at: new Date(deps.now()).toISOString(),
      });
      assert.equal(refund?.outcome, 'mixpay_refund', refund?.note);
      assert.equal((await findOrder(store.db, trace))?.status, 'MIXPAY_REFUNDED');
    });
  });
}
