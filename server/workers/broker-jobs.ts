/** Runs the broker's durable money jobs: transfers to MixPay and refunds through the wallets. */
import type { BrokerDeps } from '../broker/deps.ts';
import { runDueJobs } from '../broker/jobs.ts';
import { startLoop, type Loop } from './broker-loop.ts';

export function startJobWorker(deps: BrokerDeps): Loop {
  return startLoop('broker-jobs', deps.config.intervals.jobs_ms, () => runDueJobs(deps), deps.log);
}
