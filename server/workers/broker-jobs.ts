/** Runs the broker's durable money jobs: transfers to MixPay and refunds through the wallets. */
import type { BrokerDeps } from '../broker/deps.ts';
import { runDueJobs } from '../broker/jobs.ts';
import { runWorker, type Running } from '../core/worker-loop.ts';

export function startJobWorker(deps: BrokerDeps): Running {
  return runWorker('broker-jobs', deps.config.intervals.jobs_ms, () => runDueJobs(deps), deps.log);
}
