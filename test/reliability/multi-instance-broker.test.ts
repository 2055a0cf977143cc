/**
 * Broker mode on three server processes over one PostgreSQL database behind a round-robin proxy
 * (issue 12 §8, "every broker transfer happens once"). MixPay's create_order calls and Binance
 * Pay's webhooks land on any instance, and all three run the broker's workers, so three job
 * runners race for each transfer. Each paid order must lead to exactly one `POST /transfers` to
 * Mixin, with the order's trace_id, and one snapshot in the sandbox Mixin's ledger.
 *
 * The wallet and the bot are instance 0's sandbox (each instance's sandbox state is in memory),
 * Mixin through a counting proxy so that a second transfer attempt is seen even though Mixin
 * would de-duplicate it on trace_id (test/server/mixin-client.test.ts checks that it does).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backends, type TestStore } from '../support/stores.ts';
import { freePort } from '../support/ports.ts';
import { eventually } from '../support/stack.ts';
import { brokerDevelopmentConfig, DEV_ASSETS, DEV_MIXPAY_BOT_ID } from '../../server/broker/config.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';
import { startProxy, type LoopbackProxy } from './loopback-proxy.ts';

const INSTANCES = 3;
const PAID_ORDERS = 12;
const AMOUNT = '1.5';

const postgres = (await backends()).find((backend) => backend.name === 'postgres');

describe('broker mode on three instances over one PostgreSQL database', { skip: postgres ? false : 'no PostgreSQL' }, () => {
  let store: TestStore;
  let instances: ServerProcess[] = [];
  let front: LoopbackProxy;
  let mixin: LoopbackProxy;
  let sandbox: string;

  before(async () => {
    store = await postgres!.create();
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    sandbox = `${urls[0]}/sandbox`;
    front = await startProxy(() => urls);
    mixin = await startProxy(() => [urls[0]!]);
    // The development broker, with instance 0's sandbox as its wallet and (through the counting
    // proxy) its bot, and workers on short intervals so the three runners race on every job.
    const config = brokerDevelopmentConfig(urls[0]!);
    config.mixin.base_url = `${mixin.url}/sandbox/mixin`;
    config.intervals = { balances_ms: 1_000, snapshots_ms: 500, jobs_ms: 100, wallet_poll_ms: 60_000 };
    const configFile = join(mkdtempSync(join(tmpdir(), 'broker-multi-')), 'broker.json');
    writeFileSync(configFile, JSON.stringify(config));
    instances = await Promise.all(
      ports.map((port) =>
        startServerProcess(store.url, {
          PORT: String(port),
          PUBLIC_URL: front.url,
          BROKER_CONFIG_FILE: configFile,
          MIXPAY_API_BASE: `${urls[0]}/sandbox/mixpay/v1`,
          MIXPAY_PAY_BASE: `${urls[0]}/sandbox/mixpay`,
        }),
      ),
    );
  });

  after(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await front?.close();
    await mixin?.close();
    await store?.dispose();
  });

  /** MixPay's create_order through the front proxy; retried while an instance has not synced the balance yet. */
  async function createOrder(): Promise<{ traceId: string; prepayId: string }> {
    const traceId = randomUUID();
    const body = {
      payee_id: randomUUID(),
      wallet: 'binance',
      asset_id: DEV_ASSETS.usdt,
      amount: AMOUNT,
      trace_id: traceId,
      memo: `multi-${traceId.slice(0, 8)}`,
      expired_at: Math.floor(Date.now() / 1000) + 600,
      return_url: 'https://mixpay.me/done',
      opponent_id: DEV_MIXPAY_BOT_ID,
    };
    const deadline = Date.now() + 30_000;
    for (;;) {
      const response = await fetch(`${front.url}/mixpay/create_order`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const answer = (await response.json()) as { code: number; message: string; data?: { checkout_url: string } };
      if (answer.code === 0) return { traceId, prepayId: answer.data!.checkout_url.split('/').at(-1)! };
      assert.ok(answer.code === 11002 && Date.now() < deadline, `create_order answered ${answer.code} ${answer.message}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  test('12 orders paid at the wallet: each is transferred to MixPay exactly once', { timeout: 180_000 }, async () => {
    const orders = [];
    for (let i = 0; i < PAID_ORDERS; i++) orders.push(await createOrder());
    assert.equal(new Set(front.seen.filter((r) => r.url === '/mixpay/create_order').map((r) => r.target)).size, INSTANCES, 'create_order landed on every instance');
    // All paid at once, so the three job runners find the transfers due together.
    await Promise.all(
      orders.map(async (order) => {
        const paid = await fetch(`${sandbox}/binance/pay/${order.prepayId}/pay`, { method: 'POST', redirect: 'manual' });
        assert.equal(paid.status, 303, await paid.text());
      }),
    );
    const traceIds = orders.map((o) => o.traceId);
    await eventually(async () => {
      const rows = await store.db.selectFrom('broker_orders').select('status').where('trace_id', 'in', traceIds).execute();
      return rows.length === PAID_ORDERS && rows.every((row) => row.status === 'SETTLED');
    }, 60_000, 'every paid order settled');
    const webhooks = front.seen.filter((r) => r.url.startsWith('/mixpay/webhooks/binance'));
    assert.ok(new Set(webhooks.map((r) => r.target)).size > 1, 'the wallet webhooks landed on more than one instance');
    // Three job runners had the chance to transfer again: give them a few more rounds.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const transferCalls = mixin.seen.filter((r) => r.method === 'POST' && r.url.startsWith('/sandbox/mixin/transfers'));
    for (const traceId of traceIds) {
      const calls = transferCalls.filter((r) => (JSON.parse(r.body) as { trace_id: string }).trace_id === traceId);
      assert.equal(calls.length, 1, `order ${traceId}: one transfer call to Mixin`);
      const ledger = (await (await fetch(`${sandbox}/mixin/_sandbox/transfers?trace_id=${traceId}`)).json()) as { data: Array<{ amount: string; opponent_id: string }> };
      assert.equal(ledger.data.length, 1, `order ${traceId}: one snapshot in Mixin's ledger`);
      assert.equal(Number(ledger.data[0]!.amount), -Number(AMOUNT), `order ${traceId}: exactly the amount left the bot`);
      assert.equal(ledger.data[0]!.opponent_id, DEV_MIXPAY_BOT_ID);
    }
    const jobs = await store.db.selectFrom('broker_jobs').select(['trace_id', 'status', 'attempts']).where('kind', '=', 'transfer').where('trace_id', 'in', traceIds).execute();
    assert.equal(jobs.length, PAID_ORDERS, 'one transfer job per order');
    assert.ok(jobs.every((job) => job.status === 'done' && Number(job.attempts) === 1), JSON.stringify(jobs.filter((job) => job.status !== 'done' || Number(job.attempts) !== 1)));
    const settlements = await store.db.selectFrom('broker_order_events').select('trace_id').where('to_status', '=', 'SETTLED').where('trace_id', 'in', traceIds).execute();
    assert.equal(settlements.length, PAID_ORDERS, 'one SETTLED move per order');
  });
});
