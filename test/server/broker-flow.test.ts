/**
 * The whole broker flow over real HTTP against the sandbox (issue 5, "End-to-end test"): limits →
 * create order → the customer pays in the sandbox wallet → MixPay's bot receives exactly `amount`
 * with the right trace_id and memo, once → MixPay refunds → the customer is refunded by the wallet.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import Big from 'big.js';
import { backends, type TestStore } from '../support/stores.ts';
import { startBrokerWorkers } from '../../server/broker/index.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { DEV_ASSETS, DEV_MIXPAY_BOT_ID } from '../../server/broker/config.ts';
import { DEV_BROKER_BOT } from '../../server/sandbox/mixin/dev-bot.ts';
import { eventually, startBrokerWorld, type BrokerWorld } from './broker-world.ts';

const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';

async function envelope(response: Response) {
  assert.match(response.headers.get('content-type') ?? '', /json/);
  return (await response.json()) as { code: number; success: boolean; message: string; data: any };
}

for (const backend of await backends()) {
  describe(`broker flow over HTTP (${backend.name})`, () => {
    let store: TestStore;
    let world: BrokerWorld;
    let workers: { stop(): Promise<void> };

    before(async () => {
      store = await backend.create();
      world = await startBrokerWorld(store, { tweak: (raw) => (raw.wallets.binance.assets[DEV_ASSETS.btc].alert_below = '5') });
      workers = startBrokerWorkers(world.deps);
      await eventually(() => store.db.selectFrom('broker_balances').selectAll().executeTakeFirst(), 'the first balance sync');
    });
    after(async () => {
      await workers.stop();
      await world.close();
      await store.dispose();
    });

    async function order(wallet: 'binance' | 'mugglepay', amount: string, extra: Record<string, string> = {}) {
      const trace_id = randomUUID();
      const memo = Buffer.from(`PM|${randomUUID()}|`).toString('base64');
      const fields = {
        payee_id: PAYEE, wallet, asset_id: DEV_ASSETS.usdt, amount, trace_id, memo,
        expired_at: String(Math.floor(Date.now() / 1000) + 900), return_url: 'https://mixpay.me/pay/done', opponent_id: DEV_MIXPAY_BOT_ID, ...extra,
      };
      const answer = await envelope(await fetch(`${world.url}/mixpay/create_order`, { method: 'POST', body: new URLSearchParams(fields) }));
      assert.equal(answer.code, 0, answer.message);
      return { ...fields, links: answer.data as { checkout_url: string; deep_link: string; universal_url: string } };
    }

    /** The customer presses "Pay" on the wallet's hosted page and follows the redirects home. */
    async function customerPays(checkoutUrl: string, action: string) {
      const page = await fetch(checkoutUrl);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(`action="[^"]*${action}"`));
      const paid = await fetch(`${checkoutUrl}/${action}`, { method: 'POST', redirect: 'manual' });
      assert.equal(paid.status, 303);
      const back = await fetch(paid.headers.get('location')!, { redirect: 'manual' });
      assert.equal(back.status, 302);
      return back.headers.get('location');
    }

    for (const wallet of ['binance', 'mugglepay'] as const) {
      test(`${wallet}: limits → order → paid → MixPay's bot gets exactly amount once → MixPay refund → customer refunded`, async () => {
        const range = await envelope(await fetch(`${world.url}/mixpay/assets/range?payee_id=${PAYEE}&wallet=${wallet}`));
        assert.equal(range.code, 0);
        assert.deepEqual(range.data.map((a: { asset_id: string }) => a.asset_id), [DEV_ASSETS.usdt, DEV_ASSETS.btc]);

        const before = new Big(world.mixin.balanceOf(DEV_BROKER_BOT.app_id, DEV_ASSETS.usdt));
        const o = await order(wallet, '12.34');
        assert.equal(await customerPays(o.links.checkout_url, wallet === 'binance' ? 'pay' : 'pay'), 'https://mixpay.me/pay/done');

        const sent = await eventually(() => {
          const list = world.mixin.transfers({ trace_id: o.trace_id });
          return list.length ? list : null;
        }, 'the transfer to MixPay');
        await eventually(async () => (await findOrder(store.db, o.trace_id))?.status === 'SETTLED', 'the order to settle');
        assert.equal(world.mixin.transfers({ trace_id: o.trace_id }).length, 1);
        assert.equal(sent[0]!.amount, '-12.34');
        assert.equal(sent[0]!.opponent_id, DEV_MIXPAY_BOT_ID);
        assert.equal(sent[0]!.memo, o.memo);
        assert.equal(sent[0]!.asset_id, DEV_ASSETS.usdt);
        assert.equal(new Big(world.mixin.balanceOf(DEV_BROKER_BOT.app_id, DEV_ASSETS.usdt)).toFixed(), before.minus('12.34').toFixed());
        const stored = await findOrder(store.db, o.trace_id);
        assert.equal(stored?.pay_amount, '12.4634');

        const refund = await fetch(`${world.url}/sandbox/mixin/_sandbox/refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace_id: o.trace_id, code: '40000' }) });
        assert.equal(refund.status, 200);
        const refunded = await eventually(async () => {
          const row = await findOrder(store.db, o.trace_id);
          return row?.status === 'REFUNDED' ? row : null;
        }, 'the customer refund');
        assert.equal(refunded.refund_code, '40000');
        assert.equal(refunded.refund_reason, 'payment overtime');
        if (wallet === 'binance') {
          const upstream = world.binance.orders.get(refunded.upstream_id!)!;
          assert.deepEqual(upstream.refunds.map((r) => r.refundAmount), ['12.4634']);
          assert.equal(upstream.status, 'FULL_REFUNDED');
        } else {
          assert.equal(world.mugglepay.orders.get(refunded.upstream_id!)!.status, 'REFUNDED');
        }
        // Nothing is paid to MixPay again and the money job is done.
        assert.equal(world.mixin.transfers({ trace_id: o.trace_id }).length, 1);
      });
    }

    test('a payment the broker learns of after expired_at is refunded through the wallet, not sent to MixPay', async () => {
      const o = await order('mugglepay', '2');
      world.clock.offsetMs = 901_000;
      try {
        await customerPays(o.links.checkout_url, 'pay');
        const row = await eventually(async () => {
          const r = await findOrder(store.db, o.trace_id);
          return r?.status === 'REFUNDED' ? r : null;
        }, 'the late refund');
        assert.ok(row.paid_at! > Number(row.expired_at));
        assert.equal(world.mixin.transfers({ trace_id: o.trace_id }).length, 0);
        assert.equal(world.mugglepay.orders.get(row.upstream_id!)!.status, 'REFUNDED');
      } finally {
        world.clock.offsetMs = 0;
      }
    });

    test('an incoming transfer that is not a MixPay refund is recorded for the operator', async () => {
      const deposit = await fetch(`${world.url}/sandbox/mixin/_sandbox/deposit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ asset_id: DEV_ASSETS.usdt, amount: '1.5', memo: 'thanks' }) });
      const snapshot = ((await deposit.json()) as { data: { trace_id: string } }).data;
      const row = await eventually(() => store.db.selectFrom('broker_incoming').selectAll().where('trace_id', '=', snapshot.trace_id).executeTakeFirst(), 'the unmatched transfer');
      assert.equal(row.outcome, 'unmatched');
      assert.equal(row.amount, '1.5');
      const unknownRefund = await fetch(`${world.url}/sandbox/mixin/_sandbox/refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace_id: randomUUID(), asset_id: DEV_ASSETS.usdt, amount: '1', code: '49999' }) });
      const refundSnapshot = ((await unknownRefund.json()) as { data: { trace_id: string } }).data;
      const refundRow = await eventually(() => store.db.selectFrom('broker_incoming').selectAll().where('trace_id', '=', refundSnapshot.trace_id).executeTakeFirst(), 'the unknown refund');
      assert.equal(refundRow.outcome, 'unmatched');
      assert.match(refundRow.note, /unknown trace_id .* 49999/);
    });

    test('the MixPay checkout sandbox page drives the same flow by hand, without scripts', async () => {
      const start = await fetch(`${world.url}/sandbox/mixpay-checkout?wallet=binance`);
      const page = await start.text();
      assert.match(page, /assets\/range answered code 0/);
      assert.doesNotMatch(page, /<script/i);
      const created = await fetch(`${world.url}/sandbox/mixpay-checkout/order`, {
        method: 'POST',
        body: new URLSearchParams({ payee_id: PAYEE, wallet: 'binance', asset_id: DEV_ASSETS.usdt, amount: '1.25', expires_in: '900' }),
      });
      const result = await created.text();
      assert.match(result, /create_order answered code 0/);
      const checkout = result.match(/href="([^"]*\/sandbox\/binance\/pay\/[^"]+)"/)![1]!;
      const trace = result.match(/trace_id <code>([0-9a-f-]{36})<\/code>/)![1]!;
      // Until the transfer arrives the return page says so, links the wallet order and reloads itself.
      const waiting = await (await fetch(`${world.url}/sandbox/mixpay-checkout/done?trace_id=${trace}`)).text();
      assert.match(waiting, /Waiting for the broker's transfer/);
      assert.match(waiting, /<meta http-equiv="refresh"/);
      assert.ok(waiting.includes(checkout), 'the return page links the wallet order');
      assert.equal(await customerPays(checkout, 'pay'), `${world.url}/sandbox/mixpay-checkout/done?trace_id=${trace}`);
      await eventually(() => world.mixin.transfers({ trace_id: trace }).length === 1, 'the transfer');
      const done = await (await fetch(`${world.url}/sandbox/mixpay-checkout/done?trace_id=${trace}`)).text();
      assert.match(done, /MixPay's bot received <strong>1.25<\/strong>/);
      assert.doesNotMatch(done, /http-equiv="refresh"/);
      // "Have MixPay refund it" stays on the page, and the customer's wallet order ends refunded.
      const refund = await fetch(`${world.url}/sandbox/mixpay-checkout/refund`, { method: 'POST', body: new URLSearchParams({ trace_id: trace, code: '40000' }), redirect: 'manual' });
      assert.equal(refund.status, 303);
      assert.equal(refund.headers.get('location'), `${world.url}/sandbox/mixpay-checkout/done?trace_id=${trace}`);
      assert.match(await (await fetch(refund.headers.get('location')!)).text(), /MixPay refunded it to the broker's bot with reason code <code>40000<\/code>/);
      await eventually(async () => (await findOrder(store.db, trace))?.status === 'REFUNDED', 'the customer refund');
      const prepayId = checkout.split('/pay/')[1]!;
      assert.equal(world.binance.orders.get(prepayId)?.status, 'FULL_REFUNDED');
    });

    test('an unpaid MugglePay order is cancelled at the wallet once it expires, so it cannot be paid unnoticed later', async () => {
      // MugglePay takes no expiry: left open, it could be paid days later, after the poller stopped asking.
      const o = await order('mugglepay', '1', { expired_at: String(Math.floor(Date.now() / 1000) + 2) });
      const upstream = (await findOrder(store.db, o.trace_id))!.upstream_id!;
      await eventually(async () => (await findOrder(store.db, o.trace_id))?.status === 'CLOSED', 'the expired order closed', 10_000);
      assert.equal(world.mugglepay.orders.get(upstream)?.status, 'CANCELED');
      const page = await (await fetch(o.links.checkout_url)).text();
      assert.doesNotMatch(page, /action="[^"]*pay"/, 'the invoice can still be paid');
    });

    test('forged wallet notifications are refused with the envelope and change nothing', async () => {
      const o = await order('binance', '1');
      const row = (await findOrder(store.db, o.trace_id))!;
      const data = JSON.stringify({ merchantTradeNo: o.trace_id.replace(/-/g, ''), transactTime: Date.now() });
      const forged = await fetch(`${world.url}/mixpay/webhooks/binance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'BinancePay-Timestamp': String(Date.now()), 'BinancePay-Nonce': 'a'.repeat(32), 'BinancePay-Certificate-SN': 'sandbox-cert-1', 'BinancePay-Signature': Buffer.from('nope').toString('base64') },
        body: JSON.stringify({ bizType: 'PAY', bizIdStr: row.upstream_id, bizStatus: 'PAY_SUCCESS', data }),
      });
      assert.equal(forged.status, 401);
      assert.equal((await envelope(forged)).code, 11000);
      const m = await order('mugglepay', '1');
      const mRow = (await findOrder(store.db, m.trace_id))!;
      const token = await fetch(`${world.url}/mixpay/webhooks/mugglepay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ merchant_order_id: m.trace_id, order_id: mRow.upstream_id, status: 'PAID', token: 'guess' }),
      });
      assert.equal(token.status, 401);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal((await findOrder(store.db, o.trace_id))?.status, 'NEW');
      assert.equal((await findOrder(store.db, m.trace_id))?.status, 'NEW');
      assert.equal(world.mixin.transfers({ trace_id: o.trace_id }).length + world.mixin.transfers({ trace_id: m.trace_id }).length, 0);
    });

    test('a low balance is alerted with a log line and a signed POST', async () => {
      // BTC's threshold is 5 and the sandbox bot holds 0.1.
      const alert = await eventually(() => world.mixin.alerts.find((a) => a.body.includes('low_balance')), 'the alert POST');
      const header = alert.headers['mixpay-checkout-signature']!;
      const [, t, v1] = header.match(/^t=(\d+),v1=([0-9a-f]{64})$/)!;
      assert.equal(v1, createHmac('sha256', world.config.alerts.secret!).update(`${t}.${alert.body}`).digest('hex'));
      assert.ok(world.logs.some((line) => line.includes('[broker alert] low_balance')));
    });
  });
}
