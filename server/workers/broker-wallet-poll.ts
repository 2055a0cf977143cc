/** Asks the wallets about open orders, so a lost payment notification only delays settlement. */
import type { BrokerDeps } from '../broker/deps.ts';
import { pollOpenOrders } from '../broker/payments.ts';
import { startLoop, type Loop } from './broker-loop.ts';

export function startWalletPollWorker(deps: BrokerDeps): Loop {
  return startLoop('broker-wallet-poll', deps.config.intervals.wallet_poll_ms, () => pollOpenOrders(deps), deps.log);
}
