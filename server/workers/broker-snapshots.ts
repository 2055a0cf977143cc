/** Reads the bot's incoming Mixin transfers (MixPay refunds and anything else) from the stored cursor. */
import type { BrokerDeps } from '../broker/deps.ts';
import { pollSnapshots } from '../broker/refunds.ts';
import { runWorker, type Running } from '../core/worker-loop.ts';

export function startSnapshotWorker(deps: BrokerDeps): Running {
  return runWorker('broker-snapshots', deps.config.intervals.snapshots_ms, () => pollSnapshots(deps), deps.log);
}
