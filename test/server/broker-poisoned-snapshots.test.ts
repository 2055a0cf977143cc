/**
 * Issue 13 High 2: one transfer whose memo PostgreSQL cannot store (a NUL byte) stopped every
 * later refund. Over real HTTP against the Mixin sandbox, on both backends: such transfers are
 * kept (escaped, and exactly as base64), alerted as unmatched, and the MixPay refund behind them
 * still reaches its customer.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends, type TestStore } from '../support/stores.ts';
import { startBrokerWorkers } from '../../server/broker/index.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { DEV_ASSETS, DEV_MIXPAY_BOT_ID } from '../../server/broker/config.ts';
import { eventually, startBrokerWorld, type BrokerWorld } from './broker-world.ts';

const PAYEE = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';
const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

for (const backend of await backends()) {
  describe(`poisoned snapshots (${backend.name})`, () => {
    let store: TestStore;
    let world: BrokerWorld;
    let workers: { stop(): Promise<void> };

    before(async () => {
      store = await backend.create();
      world = await startBrokerWorld(store);
      workers = startBrokerWorkers(world.deps);
      await eventually(() => store.db.selectFrom('broker_balances').selectAll().executeTakeFirst(), 'the first balance sync');
    });
    after(async () => {
      await workers.stop();
      await world.close();
      await store.dispose();
    });

    test('a NUL byte or a lone surrogate in a memo is stored and alerted, and the refund after it still goes through', async () => {
      const trace_id = randomUUID();
      const fields = {
        payee_id: PAYEE, wallet: 'binance', asset_id: DEV_ASSETS.usdt, amount: '2', trace_id, memo: Buffer.from(`PM|${randomUUID()}|`).toString('base64'),
        expired_at: String(Math.floor(Date.now() / 1000) + 900), return_url: 'https://mixpay.me/pay/done', opponent_id: DEV_MIXPAY_BOT_ID,
      };
      const created = (await (await fetch(`${world.url}/mixpay/create_order`, { method: 'POST', body: new URLSearchParams(fields) })).json()) as { code: number; data: { checkout_url: string } };
      assert.equal(created.code, 0);
      assert.equal((await fetch(`${created.data.checkout_url}/pay`, { method: 'POST', redirect: 'manual' })).status, 303);
      await eventually(async () => (await findOrder(store.db, trace_id))?.status === 'SETTLED', 'the order to settle');

      const poisoned = ['RF\u0000|x', `a\u0000b${'\u0000'.repeat(150)}`, 'lone \ud800 surrogate'];
      const deposits: string[] = [];
      for (const memo of poisoned) {
        const answer = await fetch(`${world.url}/sandbox/mixin/_sandbox/deposit`, post({ asset_id: DEV_ASSETS.usdt, amount: '0.01', memo }));
        assert.equal(answer.status, 200);
        // The sender's snapshot and the bot's have different ids; the trace_id is the transfer's.
        deposits.push(((await answer.json()) as { data: { trace_id: string } }).data.trace_id);
      }
      assert.equal((await fetch(`${world.url}/sandbox/mixin/_sandbox/refund`, post({ trace_id, code: '40025' }))).status, 200);

      const refunded = await eventually(async () => {
        const row = await findOrder(store.db, trace_id);
        return row?.status === 'REFUNDED' ? row : null;
      }, 'the refund behind the poisoned snapshots');
      assert.equal(refunded.refund_code, '40025');

      for (const [i, traceId] of deposits.entries()) {
        const row = await store.db.selectFrom('broker_incoming').selectAll().where('trace_id', '=', traceId).executeTakeFirstOrThrow();
        assert.equal(row.outcome, 'unmatched');
        assert.ok(!row.memo!.includes('\u0000'));
        // Exactly what Mixin's JSON carried (a lone surrogate cannot be UTF-8: it reads back as U+FFFD).
        assert.equal(Buffer.from(row.memo_base64!, 'base64').toString('utf8'), poisoned[i]!.replace(/\ud800/, '\ufffd'));
      }
      await eventually(() => world.mixin.alerts.filter((a) => a.body.includes('unmatched_transfer')).length >= poisoned.length, 'an alert for each unmatched transfer');
    });
  });
}
