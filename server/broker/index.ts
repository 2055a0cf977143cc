/**
 * The broker half (seed 000): this server offers a wallet on MixPay's checkout page. What the
 * composition root builds and mounts: `app.route('/mixpay', createBrokerApp(deps))` (after the
 * merchant's `/mixpay/callback`) and `startBrokerWorkers(deps)`, the same shape as
 * merchant/index.ts; both exist only when the parsed config holds a broker config.
 */
export { createBrokerApp } from './app.ts';
export { MAX_BODY_BYTES } from './request-body.ts';
export { createBrokerDeps, type BrokerDeps, type BrokerDepsInput } from './deps.ts';
export { loadBrokerConfig, loadBrokerConfigFile, brokerDevelopmentConfig, parseBrokerConfig, BrokerConfigError, type BrokerConfig } from './config.ts';
export { startBrokerWorkers } from './workers/index.ts';
