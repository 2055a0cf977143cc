/**
 * Income check (seed 003 §3) over real HTTP on both backends: the payee is the sandbox's Mixin bot,
 * a verified MixPay success waits as PENDING until the bot's snapshots (read through the official
 * SDK) show MixPay's transfer in the settlement asset for that payment; other transfers move nothing.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { codeOf, createOrder, historyOf, jsonPost, simulate, waitForStatus } from '../support/merchant.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { createMixinClient } from '../../server/mixin/client.ts';
import { encodeMixPayMemo } from '../../server/core/mixpay-memo.ts';
import { DEV_BROKER_BOT, DEV_MIXPAY_BOT_ID } from '../../server/sandbox/mixin/dev-bot.ts';
import { IncomeWatcher, paymentTraceOf } from '../../server/merchant/workers/income-watcher.ts';
import { incomeCheckKeys, loadConfig } from '../../server/config.ts';

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const BTC = 'c6d0c728-2624-429b-8e0d-d9d19b6592fa';

describe('income check (pure parts)', () => {
  test('a transfer names its payment by MixPay\'s PM memo only', () => {
    const trace = '12c55575-c85a-4b58-a245-79e6b678eee9';
    assert.equal(paymentTraceOf({ memo: encodeMixPayMemo('PM', trace, '') }), trace);
    assert.equal(paymentTraceOf({ memo: encodeMixPayMemo('RF', trace, '40000') }), null);
    assert.equal(paymentTraceOf({ memo: 'hello' }), null);
    assert.equal(paymentTraceOf({ memo: '' }), null);
  });

  test('on only when the payee is the bot whose keys are set', () => {
    const base = { PUBLIC_URL: 'https://shop.example', MERCHANT_API_KEY: 'k'.repeat(16), MIXIN_APP_ID: DEV_BROKER_BOT.app_id, MIXIN_SESSION_ID: DEV_BROKER_BOT.session_id, MIXIN_SESSION_PRIVATE_KEY: DEV_BROKER_BOT.session_private_key, MIXIN_SERVER_PUBLIC_KEY: DEV_BROKER_BOT.server_public_key };
    assert.ok(incomeCheckKeys(loadConfig({ ...base, MIXPAY_PAYEE_ID: DEV_BROKER_BOT.app_id.replace(/-/g, '') })));
    assert.equal(incomeCheckKeys(loadConfig({ ...base, MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a' })), null);
    assert.equal(incomeCheckKeys(loadConfig({ ...base, MIXIN_SESSION_ID: undefined, MIXPAY_PAYEE_ID: DEV_BROKER_BOT.app_id })), null);
  });
});

for (const backend of await backends()) {
  describe(`income check on ${backend.name}`, () => {
    const suite = stackPerSuite(backend, { MIXPAY_PAYEE_ID: DEV_BROKER_BOT.app_id });
    let watcher: IncomeWatcher;
    before(async () => {
      suite.stack.deps.incomeCheck = true;
      watcher = new IncomeWatcher({
        sync: suite.stack.deps,
        mixin: createMixinClient({ ...DEV_BROKER_BOT, baseUrl: `${suite.stack.url}/sandbox/mixin`, pin: '' }),
        log: (line) => suite.stack.logs.push(line),
      });
    });

    /** Plays MixPay's bot (or anyone) sending the payee bot money. */
    async function transfer(asset: string, amount: string, memo: string) {
      const response = await fetch(`${suite.stack.url}/sandbox/mixin/_sandbox/deposit`, jsonPost({ user_id: DEV_BROKER_BOT.app_id, asset_id: asset, amount, memo, opponent_id: DEV_MIXPAY_BOT_ID }, {}));
      assert.equal(response.status, 200, await response.clone().text());
    }

    test('a verified success waits for the money; only the matching transfer makes it PAID', async () => {
      const created = await createOrder(suite.stack, { price_amount: '10' });
      const id = created.order.order_id;
      await simulate(suite.stack, codeOf(created), { outcome: 'success' });
      const pending = await waitForStatus(suite.store, id, 'PENDING');
      assert.ok(pending.mixpay_trace_id);
      const trace = pending.mixpay_trace_id!;
      assert.ok((await historyOf(suite.store, id)).some((e) => e.reason === 'callback:paid:awaiting_income'));

      assert.equal(await watcher.runOnce(), 0);
      await transfer(USDT, '9.9', encodeMixPayMemo('PM', '00000000-0000-4000-8000-000000000000', '')); // another payment
      await transfer(BTC, '0.001', encodeMixPayMemo('PM', trace, '')); // wrong asset
      await transfer(USDT, '9.9', 'thanks!'); // no MixPay memo
      assert.equal(await watcher.runOnce(), 0);
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PENDING');

      await transfer(USDT, '9.9', encodeMixPayMemo('PM', trace, ''));
      assert.equal(await watcher.runOnce(), 1);
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PAID');
      assert.ok((await historyOf(suite.store, id)).some((e) => e.reason === 'income:paid' && e.to_status === 'PAID'));
      const recorded = await suite.store.db.selectFrom('income_snapshots').selectAll().where('order_id', '=', id).execute();
      assert.equal(recorded.length, 1);
      assert.equal(recorded[0]?.asset_id, USDT);
      assert.equal(await watcher.runOnce(), 0, 'the cursor moved on: nothing is read twice');
    });

    test('money with a matching memo is not enough when MixPay does not report a success', async () => {
      const created = await createOrder(suite.stack, { price_amount: '7' });
      const id = created.order.order_id;
      await simulate(suite.stack, codeOf(created), { outcome: 'pending' });
      const pending = await waitForStatus(suite.store, id, 'PENDING');
      await transfer(USDT, '7', encodeMixPayMemo('PM', pending.mixpay_trace_id!, ''));
      await watcher.runOnce();
      assert.equal((await findOrder(suite.store.db, id))?.status, 'PENDING');
      // When MixPay then reports success, the money is already known: PAID at once.
      await simulate(suite.stack, codeOf(created), { outcome: 'success' });
      await waitForStatus(suite.store, id, 'PAID');
    });
  });
}
