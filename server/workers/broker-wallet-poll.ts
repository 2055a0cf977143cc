/** Asks the wallets about open orders, so a lost payment notification only delays settlement. */
import type { BrokerDeps } from '../broker/deps.ts';
import { pollOpenOrders } from '../broker/payments.ts';
import { runWorker, type Running } from '../core/worker-loop.ts';

export function startWalletPollWorker(deps: BrokerDeps): Running {
  return runWorker('broker-wallet-poll', deps.config.intervals.wallet_poll_ms, () => pollOpenOrders(deps), deps.log);
}
