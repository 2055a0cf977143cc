/**
 * Brings one broker order up to date with what its wallet says: when the customer paid, in one
 * transaction the order moves to PAID and a durable transfer job is written (or, for a late
 * payment, to LATE_PAID with a refund job). A repeated notification finds the order moved and
 * changes nothing. Wallet webhooks and the reconciler (workers/reconciler.ts) both come through
 * here, as MixPay's callbacks and the merchant's reconciler go through merchant/payment-sync.ts.
 */
import type { WalletEvent } from '../wallets/types.ts';
import type { BrokerDeps } from './deps.ts';
import { findOrder, transitionBrokerOrder, type BrokerOrder } from './order-store.ts';
import { afterPayment } from './order-state.ts';
import { enqueueJob } from './job-queue.ts';
import { canonicalUuid } from '../core/ids.ts';

/**
 * Applies a verified wallet notification. The wallet's own answer to a query decides the state:
 * a notification only says "look now" (MugglePay's token is not a signature).
 */
export async function recordWalletEvent(deps: BrokerDeps, walletName: string, event: WalletEvent): Promise<void> {
  // Only a UUID can name a broker order; anything else (a NUL byte breaks PostgreSQL) is unknown.
  const traceId = canonicalUuid(event.traceId);
  const order = traceId ? await findOrder(deps.store.db, traceId) : undefined;
  if (!order || order.wallet !== walletName) {
    deps.log(`[broker] ${walletName} notification for unknown order ${JSON.stringify(event.traceId.slice(0, 80))}`);
    return;
  }
  if (order.status !== 'NEW' && order.status !== 'CLOSED') return;
  const wallet = deps.wallets[walletName]!;
  const status = await wallet.queryOrder(order.upstream_id ?? event.upstreamId, order.trace_id);
  await applyWalletState(deps, order, status.state, status.paidAt ?? event.paidAt);
}

/** Moves a NEW (or CLOSED) order by what the wallet reports; used by webhooks and the poller. */
export async function applyWalletState(deps: BrokerDeps, order: BrokerOrder, state: string, paidAt: number | undefined): Promise<void> {
  const now = deps.now();
  if (state === 'closed' && order.status === 'NEW') {
    await transitionBrokerOrder(deps.store.db, order.trace_id, 'CLOSED', 'wallet:closed', {}, now);
    return;
  }
  if (state !== 'paid') return;
  const at = paidAt ?? now;
  const outcome = afterPayment(order.status, Number(order.expired_at), at);
  if (outcome.kind === 'ignore') return;
  await deps.store.db.transaction().execute(async (trx) => {
    const moved = await transitionBrokerOrder(trx, order.trace_id, outcome.to, outcome.kind === 'settle' ? 'wallet:paid' : 'wallet:paid_late', { paid_at: at }, now);
    if (!moved.changed) return;
    if (outcome.kind === 'settle') await enqueueJob(trx, 'transfer', order.trace_id, 'wallet paid', now);
    else await enqueueJob(trx, 'wallet_refund', order.trace_id, outcome.reason, now);
  });
  deps.log(`[broker] ${order.wallet} paid ${order.pay_amount} ${order.currency} for ${order.trace_id}: ${outcome.kind === 'settle' ? 'transfer queued' : 'late, refund queued'}`);
}
