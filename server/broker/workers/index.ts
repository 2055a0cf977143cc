/**
 * The broker half's background work: the balance sync (seed 000: every 10 s), the money jobs
 * (transfers to MixPay, refunds through the wallets), the refund watcher (the bot's incoming
 * Mixin transfers) and the reconciler (the wallets' word on open orders). (The merchant's
 * counterpart is merchant/workers/index.ts.)
 */
import { runWorker } from '../../core/worker-loop.ts';
import type { BrokerDeps } from '../deps.ts';
import { syncBalances } from './balance-sync.ts';
import { runDueJobs } from './job-runner.ts';
import { pollOpenOrders } from './reconciler.ts';
import { pollSnapshots } from './refund-watcher.ts';

/** Starts the balance sync, money jobs, refund watcher and reconciler; `stop` waits for each. */
export function startBrokerWorkers(deps: BrokerDeps): { stop(): Promise<void> } {
  const { intervals } = deps.config;
  const loops = [
    runWorker('broker-balances', intervals.balances_ms, () => syncBalances(deps), deps.log),
    runWorker('broker-jobs', intervals.jobs_ms, () => runDueJobs(deps), deps.log),
    runWorker('broker-snapshots', intervals.snapshots_ms, () => pollSnapshots(deps), deps.log),
    runWorker('broker-wallet-poll', intervals.wallet_poll_ms, () => pollOpenOrders(deps), deps.log),
  ];
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
