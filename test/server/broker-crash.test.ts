/**
 * Issue 5, "Done when": killing the server between "wallet paid" and "transfer answered", then
 * starting again on the same database, ends with exactly one transfer to MixPay.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import Big from 'big.js';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { backends } from '../support/stores.ts';
import { createBrokerOrder } from '../../server/broker/create-order.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { applyWalletState } from '../../server/broker/payment-sync.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { JOB_LEASE_MS, runDueJobs } from '../../server/broker/workers/job-runner.ts';
import { DEV_ASSETS, DEV_MIXPAY_BOT_ID } from '../../server/broker/config.ts';
import { DEV_BROKER_BOT } from '../../server/sandbox/mixin/dev-bot.ts';
import type { Snapshot } from '../../server/sandbox/mixin/index.ts';
import { FakeWallet } from './broker-fixtures.ts';
import { eventually, startBrokerWorld } from './broker-world.ts';

const CHILD = fileURLToPath(new URL('./broker-settlement-child.ts', import.meta.url));

for (const backend of await backends()) {
  describe(`settlement survives a crash (${backend.name})`, () => {
    test('SIGKILL while Mixin holds the transfer answer → a fresh worker finishes with exactly one transfer', async () => {
      const store = await backend.create();
      // Mixin books the transfer, then never answers the first worker: the worst moment to die.
      let holdAnswers = true;
      const booked: Snapshot[] = [];
      const world = await startBrokerWorld(store, {
        mixin: {
          afterTransfer: async (snapshot) => {
            booked.push(snapshot);
            if (holdAnswers) await new Promise(() => {});
          },
        },
        tweak: (raw) => (raw.mixin.timeout_ms = 60_000),
      });
      const child = { process: undefined as ReturnType<typeof spawn> | undefined };
      try {
        const wallet = new FakeWallet();
        const deps = { ...world.deps, wallets: { binance: wallet } };
        await syncBalances(deps);
        const traceId = randomUUID();
        const memo = Buffer.from(`PM|${randomUUID()}|`).toString('base64');
        const request = {
          payee_id: 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a', wallet: 'binance', asset_id: DEV_ASSETS.usdt, amount: '7.77', trace_id: traceId, memo,
          expired_at: Date.now() + 900_000, return_url: 'https://mixpay.me/done', opponent_id: DEV_MIXPAY_BOT_ID,
        };
        await createBrokerOrder(deps, request, world.config.wallets.binance!.assets[DEV_ASSETS.usdt]!);
        await applyWalletState(deps, (await findOrder(store.db, traceId))!, 'paid', Date.now());
        assert.equal((await findOrder(store.db, traceId))?.status, 'PAID');
        const before = world.mixin.balanceOf(DEV_BROKER_BOT.app_id, DEV_ASSETS.usdt);

        const proc = spawn(process.execPath, ['--import', 'tsx', CHILD], {
          env: { ...process.env, BROKER_CHILD_DATABASE_URL: store.url, BROKER_CHILD_CONFIG: JSON.stringify(world.config) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.process = proc;
        let output = '';
        proc.stdout!.on('data', (chunk) => (output += chunk));
        proc.stderr!.on('data', (chunk) => (output += chunk));
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) => proc.on('exit', (code, signal) => resolve(signal ?? code)));
        await eventually(() => booked.length === 1, 'the child to reach Mixin', 15_000).catch((error) => {
          throw new Error(`${error.message}; child said: ${output}`);
        });
        proc.kill('SIGKILL');
        assert.equal(await exited, 'SIGKILL');
        assert.doesNotMatch(output, /finished/);

        // The money moved, but the broker never heard: the order is still PAID and its job pending.
        assert.equal((await findOrder(store.db, traceId))?.status, 'PAID');
        const job = await store.db.selectFrom('broker_jobs').selectAll().where('trace_id', '=', traceId).executeTakeFirstOrThrow();
        assert.equal(job.status, 'pending');

        // Restart: a fresh worker on the same database, once the dead worker's lease has run out.
        holdAnswers = false;
        const restarted = { ...deps, now: () => Date.now() + JOB_LEASE_MS + 1000 };
        assert.equal(await runDueJobs(restarted), 1);
        assert.equal(await runDueJobs(restarted), 0);

        const settled = await findOrder(store.db, traceId);
        assert.equal(settled?.status, 'SETTLED');
        const transfers = world.mixin.transfers({ trace_id: traceId });
        assert.equal(transfers.length, 1, 'exactly one transfer to MixPay');
        assert.equal(transfers[0]!.amount, '-7.77');
        assert.equal(transfers[0]!.memo, memo);
        assert.equal(transfers[0]!.opponent_id, DEV_MIXPAY_BOT_ID);
        assert.equal(settled?.settlement_snapshot_id, transfers[0]!.snapshot_id);
        assert.equal(new Big(before).minus(world.mixin.balanceOf(DEV_BROKER_BOT.app_id, DEV_ASSETS.usdt)).toFixed(), '7.77');
      } finally {
        child.process?.kill('SIGKILL');
        await world.close();
        await store.dispose();
      }
    });
  });
}
