/**
 * The merchant half (MugglePay-compatible order API, the element's endpoints, MixPay's callback,
 * admin API): what the composition root builds and mounts. Compose with
 * `app.route('/', createMerchantApp(deps))` and `startMerchantWorkers(deps)`, the same shape as
 * broker/index.ts.
 */
export { createMerchantApp, merchantErrorHandler } from './app.ts';
export { createMerchantDeps, type MerchantDeps, type MerchantDepsInput, type MerchantEnv } from './deps.ts';
export { incomeCheckKeys, merchantConfigShape, type MerchantConfig } from './config.ts';
export { startMerchantWorkers } from './workers/index.ts';
export { statusFastPath, type NodeFastPath } from './status-fast-path.ts';
export { STATUS_ROUTE } from './status-route.ts';
