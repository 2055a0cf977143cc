/**
 * The merchant half's background work: the reconciler (MixPay's payment results on a schedule),
 * the income watcher (the payee bot's snapshots, when the income check is on) and the delivery of
 * the notification outbox. (The broker's counterpart is broker/workers/index.ts.)
 */
import { createMixinClient } from '../../mixin/client.ts';
import { incomeCheckKeys } from '../config.ts';
import type { MerchantDeps } from '../deps.ts';
import { IncomeWatcher } from './income-watcher.ts';
import { NotificationDelivery } from './notification-delivery.ts';
import { Reconciler } from './reconciler.ts';

export { IncomeWatcher, paymentTraceOf } from './income-watcher.ts';
export { NotificationDelivery } from './notification-delivery.ts';
export { Reconciler } from './reconciler.ts';

/** Starts the reconciler, the notification sender and (income check on) the income watcher; `stop` waits for each. */
export function startMerchantWorkers(deps: MerchantDeps): { stop(): Promise<void> } {
  const { config, store, now, log, bus } = deps;
  const mixpay = deps.background ?? deps.mixpay;
  const stops: Array<() => Promise<void>> = [];
  const reconciler = new Reconciler({ store, mixpay, now, log, bus, graceMs: config.ORDER_EXPIRY_GRACE_SECONDS * 1000, incomeCheck: deps.incomeCheck }).start(config.RECONCILE_INTERVAL_MS);
  const income = incomeCheckKeys(config);
  if (income) {
    // The bot only reads its snapshots here: no PIN is needed or sent.
    const watcher = new IncomeWatcher({ sync: { store, mixpay, now, incomeCheck: true }, mixin: createMixinClient({ ...income, pin: '' }), log, bus }).start(config.INCOME_INTERVAL_MS);
    stops.push(() => watcher.stop());
    log(`income check on: orders become PAID once bot ${income.app_id} receives MixPay's transfer`);
  }
  const notifier = new NotificationDelivery({ db: store.db, secrets: config.WEBHOOK_SECRET, now, log }).start(config.NOTIFY_INTERVAL_MS);
  stops.unshift(() => reconciler.stop(), () => notifier.stop());
  if (!config.WEBHOOK_SECRET.length) log('WEBHOOK_SECRET is unset: notifications to merchants go out unsigned (never do this in production)');
  return {
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}
