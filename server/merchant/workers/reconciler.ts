/**
 * Reconciliation: asks MixPay's `/payments_result` about orders on the schedule of
 * server/merchant/reconcile-schedule.ts, through the same MUST checks as a callback
 * (syncOrderWithMixPay), so an order settles even when every callback is lost. An unpaid order
 * past its expiry and grace window is checked once more and only then EXPIRED: a paid order is
 * never expired, and while MixPay cannot be reached nothing expires at all.
 *
 * Every call spends from the shared budget with a reserve left for callbacks and new links; a
 * 1429, an outage or a full budget window ends the round (the budget's back-off is shared by every
 * process). Several processes may run it: an order is leased before it is checked.
 */
import type { MerchantDeps } from '../deps.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from '../../mixpay/errors.ts';
import { MixPayBudgetError, type MixPayApi } from '../../mixpay/call-budget.ts';
import type { Verdict } from '../../mixpay/verify-result.ts';
import { expiresAfterCheck } from '../order-state.ts';
import { findOrder, transitionOrder, type Order } from '../order-store.ts';
import { syncOrderWithMixPay } from '../payment-sync.ts';
import { nextCheckAt, pastGrace, RESCHEDULE } from '../reconcile-schedule.ts';
import { runEvery, type Running } from '../../core/worker-loop.ts';

export interface ReconcilerDeps {
  store: MerchantDeps['store'];
  /** A budgeted client (BudgetedMixPay with a reserve and no waiting). */
  mixpay: MixPayApi;
  now: () => number;
  log: (line: string) => void;
  /** Wakes status streams of orders that changed. */
  bus?: MerchantDeps['bus'];
  graceMs: number;
  batchSize?: number;
  /** Income check on: PAID only once the payee bot's snapshots show the money (income-watcher.ts). */
  incomeCheck?: boolean;
}

/** A lease long enough for one check, so two processes never check the same order at once. */
const LEASE_MS = 120_000;

export type RoundResult = { checked: number; changed: number; stoppedBy?: string };

export class Reconciler {
  private loop: Running | undefined;

  constructor(private readonly deps: ReconcilerDeps) {}

  /** One round over the orders due now. */
  async runOnce(): Promise<RoundResult> {
    const { db } = this.deps.store;
    const now = this.deps.now();
    const due = await db
      .selectFrom('orders')
      .select(['id', 'next_check_at'])
      .where('next_check_at', '<=', now)
      .orderBy('next_check_at')
      .limit(this.deps.batchSize ?? 50)
      .execute();
    const round: RoundResult = { checked: 0, changed: 0 };
    for (const row of due) {
      // The lease returns the order as leased (a later read could see a change made meanwhile and
      // act on a lost lease), and every write of this round to it is made only while `held` is
      // still its next_check_at: a status change, another process past a lapsed lease or an
      // operator making it due wins over this round.
      let held = now + LEASE_MS;
      let order = (await db
        .updateTable('orders')
        .set({ next_check_at: held })
        .where('id', '=', row.id)
        .where('next_check_at', '=', row.next_check_at)
        .returningAll()
        .executeTakeFirst()) as Order | undefined;
      if (!order) continue;
      if (order.check_count === RESCHEDULE) {
        const next = await this.schedule(order, 0, now, false, held);
        // Most orders just get their next time; one already past its deadline is checked now.
        if (next === undefined || next === null || next > now) continue;
        order = { ...order, check_count: 0, next_check_at: next };
        held = next;
      }
      const result = await this.check(order, now, held);
      round.checked += 1;
      if (result.changed) round.changed += 1;
      if (result.stop) {
        round.stoppedBy = result.stop;
        break;
      }
    }
    return round;
  }

  start(intervalMs: number): this {
    this.loop ??= runEvery(intervalMs, () => this.runOnce(), (error) => this.deps.log(`reconciler: ${error.message}`));
    return this;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  private async check(order: Order, now: number, held: number): Promise<{ changed: boolean; stop?: string }> {
    const { store, log } = this.deps;
    let verdict: Verdict | null = null;
    let current = order;
    let changed = false;
    try {
      const outcome = await syncOrderWithMixPay({ store, mixpay: this.deps.mixpay, now: this.deps.now, incomeCheck: this.deps.incomeCheck }, order, 'reconcile');
      current = outcome.order;
      changed = outcome.kind === 'changed';
      if ('verdict' in outcome) verdict = outcome.verdict;
    } catch (error) {
      if (error instanceof MixPayBudgetError) {
        await this.setNext(order.id, now + Math.max(1_000, error.waitMs), held);
        return { changed: false, stop: 'budget' };
      }
      if (error instanceof MixPayRateLimitError) {
        log(`reconciler: MixPay answered 1429 for order ${order.id}; backing off`);
        await this.setNext(order.id, now + 60_000, held);
        return { changed: false, stop: 'rate_limited' };
      }
      if (error instanceof MixPayUnavailableError) {
        log(`reconciler: MixPay unavailable for order ${order.id} (${error.message}); backing off`);
        await this.setNext(order.id, now + 30_000, held);
        return { changed: false, stop: 'unavailable' };
      }
      if (!(error instanceof MixPayApiError)) {
        log(`reconciler: order ${order.id}: ${(error as Error).stack ?? error}`);
        await this.setNext(order.id, now + 60_000, held);
        return { changed: false };
      }
      // MixPay knows no payment for this order (e.g. its link was never minted): nobody paid it.
      log(`reconciler: order ${order.id}: ${error.message}`);
      verdict = { kind: 'unpaid' };
    }
    const before = current.status;
    if (verdict && pastGrace(current, now, this.deps.graceMs) && expiresAfterCheck(current.status, verdict)) {
      // Only from the status MixPay's answer was judged against: a callback that moved the order
      // meanwhile (a payment starting to confirm) wins over this stale "nothing happened".
      const expired = await transitionOrder(store.db, current.id, 'EXPIRED', 'reconcile:expired', {}, { verdict: verdict.kind, expires_at: current.expires_at }, now, { onlyFrom: current.status });
      if (expired.changed) {
        current = expired.order;
        changed = true;
      }
    }
    if (changed) this.deps.bus?.publish(order.id);
    const fresh = (await findOrder(store.db, order.id)) ?? current;
    // A status change was marked for rescheduling by the transition hook; otherwise count this check.
    if (fresh.check_count !== RESCHEDULE && fresh.status === before) await this.schedule(fresh, Math.max(0, order.check_count) + 1, now, true, held);
    return { changed };
  }

  /** The order's next check time as written, or undefined when `held` was no longer its time (nothing written). */
  private async schedule(order: Order, checks: number, now: number, checked: boolean, held: number): Promise<number | null | undefined> {
    const next = nextCheckAt(order, checks, now, this.deps.graceMs);
    const written = await this.deps.store.db
      .updateTable('orders')
      .set({ next_check_at: next, check_count: checks, ...(checked ? { last_checked_at: now } : {}) })
      .where('id', '=', order.id)
      .where('next_check_at', '=', held)
      .executeTakeFirst();
    return Number(written.numUpdatedRows) === 1 ? next : undefined;
  }

  private async setNext(id: string, at: number, held: number): Promise<void> {
    await this.deps.store.db.updateTable('orders').set({ next_check_at: at }).where('id', '=', id).where('next_check_at', '=', held).execute();
  }
}
