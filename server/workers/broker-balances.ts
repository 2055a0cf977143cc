/** Syncs the broker bot's Mixin balances into the store (seed 000: every 10 s). */
import { syncBalances } from '../broker/balances.ts';
import type { BrokerDeps } from '../broker/deps.ts';
import { runWorker, type Running } from '../core/worker-loop.ts';

export function startBalanceWorker(deps: BrokerDeps): Running {
  return runWorker('broker-balances', deps.config.intervals.balances_ms, () => syncBalances(deps), deps.log);
}
