/**
 * Seed 000 recommends syncing the bot's balances into the database every 10 s so that
 * create_order answers from there. After each sync the configured thresholds are checked.
 */
import Big from 'big.js';
import type { BrokerDeps } from '../deps.ts';
import { availableBalance } from '../order-store.ts';
import { releaseLapsedHolds, writeSyncedBalance } from '../reservations.ts';
import { toUnits } from '../../core/amounts.ts';
import { canonicalUuid } from '../../core/ids.ts';

/** Copies every asset balance Mixin reports into broker_balances; returns how many. */
export async function syncBalances(deps: BrokerDeps): Promise<number> {
  // Stamped before asking: a transfer recorded after this moment may be missing from the answer,
  // so create_order keeps counting it against this balance until the next sync.
  const now = deps.now();
  const assets = await deps.mixin.listAssets();
  // Unpaid orders past expired_at give their hold back (create_order already counts them free).
  await releaseLapsedHolds(deps.store.db, now);
  for (const asset of assets) {
    // Orders store asset ids canonical; Mixin's spelling must not make a balance unfindable.
    const assetId = canonicalUuid(asset.asset_id) ?? asset.asset_id;
    await writeSyncedBalance(deps.store.db, deps.store.dialect, { ...asset, asset_id: assetId, units: toUnits(asset.balance) }, now);
  }
  await alertLowBalances(deps);
  return assets.length;
}

/** Alerts for each configured asset whose available balance is below its `alert_below`. */
export async function alertLowBalances(deps: BrokerDeps): Promise<void> {
  const thresholds = new Map<string, string>();
  for (const wallet of Object.values(deps.config.wallets)) {
    for (const [assetId, asset] of Object.entries(wallet.assets)) {
      if (asset.alert_below && (!thresholds.has(assetId) || new Big(asset.alert_below).gt(thresholds.get(assetId)!))) {
        thresholds.set(assetId, asset.alert_below);
      }
    }
  }
  for (const [assetId, threshold] of thresholds) {
    const available = (await availableBalance(deps.store.db, assetId, deps.now())) ?? '0';
    if (new Big(available).lt(new Big(threshold))) {
      await deps.alerts.alert({
        key: `low_balance:${assetId}`,
        kind: 'low_balance',
        message: `the bot has ${available} of ${assetId} available, below ${threshold}: top it up`,
        details: { asset_id: assetId, available, threshold },
      });
    }
  }
}
