/**
 * The durable jobs that move money: `transfer` pays exactly `amount` to MixPay's bot with the
 * order's trace_id and memo; `wallet_refund` gives the customer their money back through the
 * wallet. A job is claimed with a lease, so a worker that dies mid-call leaves it to the next
 * one; retrying is safe because Mixin de-duplicates on trace_id and the wallet on the refund id.
 */
import Big from 'big.js';
import { sameId } from '../../core/ids.ts';
import type { Selectable } from 'kysely';
import type { BrokerJobsTable } from '../../store/schema.ts';
import type { BrokerDeps } from '../deps.ts';
import { findOrder, transitionBrokerOrder } from '../order-store.ts';
import { retryDelayMs } from '../order-state.ts';

/** How long a claimed job stays with its worker; longer than the slowest Mixin call. */
export const JOB_LEASE_MS = 30_000;

type Job = Selectable<BrokerJobsTable>;

/** Claims one due job, or returns undefined when none is due. */
async function claimJob(deps: BrokerDeps): Promise<Job | undefined> {
  const { db } = deps.store;
  const now = deps.now();
  const candidates = await db
    .selectFrom('broker_jobs')
    .selectAll()
    .where('status', '=', 'pending')
    .where('next_run_at', '<=', now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .orderBy('next_run_at')
    .limit(5)
    .execute();
  for (const job of candidates) {
    const claimed = await db
      .updateTable('broker_jobs')
      .set({ locked_until: now + JOB_LEASE_MS, attempts: Number(job.attempts) + 1, updated_at: now })
      .where('id', '=', job.id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 1) return { ...job, attempts: Number(job.attempts) + 1, locked_until: now + JOB_LEASE_MS };
  }
  return undefined;
}

async function finishJob(deps: BrokerDeps, job: Job, result: string): Promise<void> {
  await deps.store.db
    .updateTable('broker_jobs')
    .set({ status: 'done', result, locked_until: null, last_error: null, updated_at: deps.now() })
    .where('id', '=', job.id)
    .execute();
}

async function postponeJob(deps: BrokerDeps, job: Job, error: Error): Promise<void> {
  const now = deps.now();
  await deps.store.db
    .updateTable('broker_jobs')
    .set({ locked_until: null, last_error: error.message.slice(0, 2000), next_run_at: now + retryDelayMs(job.attempts), updated_at: now })
    .where('id', '=', job.id)
    .execute();
  const kind = job.kind === 'transfer' ? 'settlement_failing' : 'refund_failing';
  if (job.attempts >= 3) {
    await deps.alerts.alert({ key: `${kind}:${job.trace_id}`, kind, message: `${job.kind} for ${job.trace_id} failed ${job.attempts} times: ${error.message}`, details: { trace_id: job.trace_id } });
  }
}

async function runTransfer(deps: BrokerDeps, job: Job): Promise<void> {
  const order = await findOrder(deps.store.db, job.trace_id);
  if (!order) throw new Error(`order ${job.trace_id} is missing`);
  const snapshot = await deps.mixin.transfer({
    asset_id: order.asset_id,
    opponent_id: order.opponent_id,
    amount: order.amount,
    trace_id: order.trace_id,
    memo: order.memo,
  });
  // Mixin returns the first transfer for a reused trace_id; it must be the one this order asked for.
  if (!sameId(snapshot.asset_id, order.asset_id) || !new Big(snapshot.amount).abs().eq(new Big(order.amount))) {
    throw new Error(`Mixin's snapshot ${snapshot.snapshot_id} for trace ${order.trace_id} moved ${snapshot.amount} of ${snapshot.asset_id}, not ${order.amount} of ${order.asset_id}`);
  }
  await deps.store.db.transaction().execute(async (trx) => {
    await transitionBrokerOrder(trx, order.trace_id, 'SETTLED', 'transfer:settled', { settled_at: deps.now(), settlement_snapshot_id: snapshot.snapshot_id }, deps.now());
    await trx.updateTable('broker_jobs').set({ status: 'done', result: snapshot.snapshot_id, locked_until: null, last_error: null, updated_at: deps.now() }).where('id', '=', job.id).execute();
  });
  deps.log(`[broker] transferred ${order.amount} of ${order.asset_id} to ${order.opponent_id} for ${order.trace_id} (snapshot ${snapshot.snapshot_id})`);
}

/** A refund id the wallet accepts (Binance: alphanumerics) and that is the same on every retry. */
export function refundRequestId(traceId: string): string {
  return `rf${traceId.replace(/-/g, '')}`;
}

async function runWalletRefund(deps: BrokerDeps, job: Job): Promise<void> {
  const order = await findOrder(deps.store.db, job.trace_id);
  if (!order) throw new Error(`order ${job.trace_id} is missing`);
  const wallet = deps.wallets[order.wallet];
  if (!wallet) throw new Error(`wallet ${order.wallet} is no longer configured`);
  if (!order.upstream_id) throw new Error(`order ${order.trace_id} has no ${order.wallet} order id`);
  await wallet.refund({ traceId: order.trace_id, upstreamId: order.upstream_id, amount: order.pay_amount, refundRequestId: refundRequestId(order.trace_id), reason: job.reason });
  await transitionBrokerOrder(deps.store.db, order.trace_id, 'REFUNDED', 'wallet:refunded', { refunded_at: deps.now() }, deps.now(), { reason: job.reason });
  await finishJob(deps, job, 'refunded');
  deps.log(`[broker] refunded ${order.pay_amount} ${order.currency} to the customer of ${order.trace_id} through ${order.wallet} (${job.reason})`);
}

/** Runs due jobs until none is left or `max` ran; returns how many ran (done or postponed). */
export async function runDueJobs(deps: BrokerDeps, max = 20): Promise<number> {
  let ran = 0;
  while (ran < max) {
    const job = await claimJob(deps);
    if (!job) break;
    ran += 1;
    try {
      if (job.kind === 'transfer') await runTransfer(deps, job);
      else await runWalletRefund(deps, job);
    } catch (error) {
      const e = error as Error;
      deps.log(`[broker] ${job.kind} for ${job.trace_id} attempt ${job.attempts} failed: ${e.message}`);
      await postponeJob(deps, job, e);
    }
  }
  return ran;
}
