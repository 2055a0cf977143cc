/**
 * The broker's reconciler: asks the wallets about open orders, least recently asked first, so a
 * lost payment notification only delays settlement, and closes at the wallet an order MixPay no
 * longer waits for. (The merchant's reconciler asks MixPay; merchant/workers/reconciler.ts.)
 */
import { WalletApiError } from '../../wallets/types.ts';
import type { BrokerDeps } from '../deps.ts';
import { transitionBrokerOrder } from '../order-store.ts';
import { applyWalletState } from '../payment-sync.ts';

/** Orders still waiting for the wallet are asked again for this long after they expire. */
const POLL_AFTER_EXPIRY_MS = 24 * 3600_000;

/**
 * Marks an order still NEW as just asked about. The poller takes the least recently touched
 * orders first, so this moves the order to the back of the queue and every open order gets its
 * turn, however many there are.
 */
async function markAsked(deps: BrokerDeps, traceId: string, now: number): Promise<void> {
  await deps.store.db.updateTable('broker_orders').set({ updated_at: now }).where('trace_id', '=', traceId).where('status', '=', 'NEW').execute();
}

/** Asks the wallet about open orders, least recently asked first, in case a notification was lost; returns how many were asked. */
export async function pollOpenOrders(deps: BrokerDeps, max = 50): Promise<number> {
  const now = deps.now();
  const open = await deps.store.db
    .selectFrom('broker_orders')
    .selectAll()
    .where('status', '=', 'NEW')
    .where('expired_at', '>', now - POLL_AFTER_EXPIRY_MS)
    .orderBy('updated_at')
    .limit(max)
    .execute();
  for (const order of open) {
    const wallet = deps.wallets[order.wallet];
    if (!wallet || !order.upstream_id) continue;
    try {
      const status = await wallet.queryOrder(order.upstream_id, order.trace_id);
      if (status.state === 'pending' && Number(order.expired_at) < now) {
        // MixPay no longer waits for it: make sure the wallet stops taking payment too, or a
        // payment made after the poller stops asking would never be seen, let alone refunded.
        const after = await wallet.close(order.upstream_id, order.trace_id);
        await applyWalletState(deps, order, after, undefined);
        if (after === 'closed') deps.log(`[broker] ${order.wallet} order for ${order.trace_id} expired unpaid; closed at the wallet`);
      } else {
        await applyWalletState(deps, order, status.state, status.paidAt);
      }
      await markAsked(deps, order.trace_id, now);
    } catch (error) {
      // An expired order the wallet refuses to know is closed, so it is not asked about forever;
      // a late notification for it is still handled (CLOSED may still become PAID or LATE_PAID).
      if (error instanceof WalletApiError && Number(order.expired_at) < now) {
        await transitionBrokerOrder(deps.store.db, order.trace_id, 'CLOSED', 'poll:unknown_at_wallet', {}, now, { error: error.message.slice(0, 200) });
        deps.log(`[broker] ${order.wallet} no longer knows expired order ${order.trace_id} (${error.message}); closed`);
        continue;
      }
      deps.log(`[broker] polling ${order.wallet} for ${order.trace_id} failed: ${(error as Error).message}`);
      await markAsked(deps, order.trace_id, now);
    }
  }
  return open.length;
}
