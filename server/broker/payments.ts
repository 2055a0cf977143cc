/**
 * What happens when a wallet says the customer paid: in one transaction the order moves to PAID
 * and a durable transfer job is written (or, for a late payment, to LATE_PAID with a refund job).
 * A repeated notification finds the order moved and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { BrokerJobKind, Database } from '../store/schema.ts';
import { WalletApiError, type WalletEvent } from '../wallets/types.ts';
import type { BrokerDeps } from './deps.ts';
import { findOrder, transitionBrokerOrder, type BrokerOrder } from './order-store.ts';
import { afterPayment } from './order-state.ts';
import { canonicalUuid } from '../core/ids.ts';

/** Queues a job once per (kind, order): the unique constraint absorbs a second request. */
export async function enqueueJob(trx: Transaction<Database>, kind: BrokerJobKind, traceId: string, reason: string, now: number): Promise<void> {
  await trx
    .insertInto('broker_jobs')
    .values({ id: randomUUID(), kind, trace_id: traceId, status: 'pending', reason, attempts: 0, next_run_at: now, locked_until: null, last_error: null, result: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['kind', 'trace_id']).doNothing())
    .execute();
}

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
  if (order.status !== 'OPEN' && order.status !== 'CLOSED') return;
  const wallet = deps.wallets[walletName]!;
  const status = await wallet.queryOrder(order.upstream_id ?? event.upstreamId, order.trace_id);
  await applyWalletState(deps, order, status.state, status.paidAt ?? event.paidAt);
}

/** Moves an OPEN (or CLOSED) order by what the wallet reports; used by webhooks and the poller. */
export async function applyWalletState(deps: BrokerDeps, order: BrokerOrder, state: string, paidAt: number | undefined): Promise<void> {
  const now = deps.now();
  if (state === 'closed' && order.status === 'OPEN') {
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

/** Orders still waiting for the wallet are asked again for this long after they expire. */
const POLL_AFTER_EXPIRY_MS = 24 * 3600_000;

/**
 * Marks an order still OPEN as just asked about. The poller takes the least recently touched
 * orders first, so this moves the order to the back of the queue and every open order gets its
 * turn, however many there are.
 */
async function markAsked(deps: BrokerDeps, traceId: string, now: number): Promise<void> {
  await deps.store.db.updateTable('broker_orders').set({ updated_at: now }).where('trace_id', '=', traceId).where('status', '=', 'OPEN').execute();
}

/** Asks the wallet about open orders, least recently asked first, in case a notification was lost; returns how many were asked. */
export async function pollOpenOrders(deps: BrokerDeps, max = 50): Promise<number> {
  const now = deps.now();
  const open = await deps.store.db
    .selectFrom('broker_orders')
    .selectAll()
    .where('status', '=', 'OPEN')
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
