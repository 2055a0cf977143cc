/**
 * Broker mode (seed 000): this server offers a wallet on MixPay's checkout page. Compose with
 * `app.route('/mixpay', createBrokerApp(deps))` (after the merchant's `/mixpay/callback`) and
 * `startBrokerWorkers(deps)`; both exist only when `loadBrokerConfig` returns a config.
 */
import { startBalanceWorker } from '../workers/broker-balances.ts';
import { startJobWorker } from '../workers/broker-jobs.ts';
import { startSnapshotWorker } from '../workers/broker-snapshots.ts';
import { startWalletPollWorker } from '../workers/broker-wallet-poll.ts';
import type { BrokerDeps } from './deps.ts';

export { createBrokerApp, MAX_BODY_BYTES } from './app.ts';
export { createBrokerDeps, type BrokerDeps, type BrokerDepsInput } from './deps.ts';
export { loadBrokerConfig, brokerDevelopmentConfig, parseBrokerConfig, BrokerConfigError, type BrokerConfig } from './config.ts';

/** Starts the balance sync, money jobs, snapshot reader and wallet poller; `stop` waits for each. */
export function startBrokerWorkers(deps: BrokerDeps): { stop(): Promise<void> } {
  const loops = [startBalanceWorker(deps), startJobWorker(deps), startSnapshotWorker(deps), startWalletPollWorker(deps)];
  return {
    async stop() {
      await Promise.all(loops.map((loop) => loop.stop()));
    },
  };
}
