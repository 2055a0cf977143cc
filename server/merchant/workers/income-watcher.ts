/**
 * Income check (issue 4 §8, seed 003 §3): reads the payee bot's Mixin snapshots through the Mixin
 * client (the official SDK, base URL configurable) and the shared poller (core/snapshot-poller.ts,
 * as the broker's refund watcher does), records every incoming transfer, and
 * when one settles a MixPay payment that an order is waiting on, re-checks that order with MixPay
 * (the same MUST checks) so that it becomes PAID.
 *
 * Which transfer settles which payment is **unconfirmed**: we match MixPay's memo format
 * (contracts §1, base64 `PM|<payment trace id>|...`) in `paymentTraceOf`, the one place to change
 * if MixPay names the payment differently, and require the order's settlement asset.
 */
import type { MerchantDeps } from '../deps.ts';
import { decodeMixPayMemo } from '../../core/mixpay-memo.ts';
import { MixinUnavailableError, type MixinSnapshot, type MixinTransfers } from '../../mixin/client.ts';
import { findOrder } from '../order-store.ts';
import { syncOrderWithMixPay, type SyncDeps } from '../payment-sync.ts';
import { runEvery, type Running } from '../../core/worker-loop.ts';
import { pollIncomingSnapshots, snapshotColumns, storedCursor } from '../../core/snapshot-poller.ts';

const CURSOR = 'income_snapshots';

/** The MixPay payment a transfer settles, from its memo; null when it names none. */
export function paymentTraceOf(snapshot: Pick<MixinSnapshot, 'memo'>): string | null {
  const memo = decodeMixPayMemo(snapshot.memo);
  return memo && memo.source === 'PM' ? memo.traceId : null;
}

export interface IncomeWatcherDeps {
  sync: SyncDeps;
  mixin: Pick<MixinTransfers, 'snapshots'>;
  log: (line: string) => void;
  bus?: MerchantDeps['bus'];
  batchSize?: number;
}

export class IncomeWatcher {
  private loop: Running | undefined;

  constructor(private readonly deps: IncomeWatcherDeps) {}

  /** Reads the snapshots after the cursor; returns how many orders it moved. */
  async runOnce(): Promise<number> {
    const { db } = this.deps.sync.store;
    const now = this.deps.sync.now;
    try {
      return await pollIncomingSnapshots({
        mixin: this.deps.mixin,
        cursor: storedCursor(db, 'merchant_cursors', CURSOR, now),
        pageSize: this.deps.batchSize ?? 100,
        maxPages: 1,
        handle: async (snapshot) => {
          const trace = paymentTraceOf(snapshot);
          await db
            .insertInto('income_snapshots')
            .values({ ...snapshotColumns(snapshot, now()), payment_trace_id: trace, order_id: null })
            .onConflict((oc) => oc.column('snapshot_id').doNothing())
            .execute();
          return trace !== null && (await this.settle(snapshot, trace));
        },
      });
    } catch (error) {
      if (error instanceof MixinUnavailableError) {
        this.deps.log(`income: ${error.message}`);
        return 0;
      }
      throw error;
    }
  }

  start(intervalMs: number): this {
    this.loop ??= runEvery(intervalMs, () => this.runOnce(), (error) => this.deps.log(`income: ${error.message}`));
    return this;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }

  /** Links the transfer to its order and re-checks that order with MixPay. */
  private async settle(snapshot: MixinSnapshot, trace: string): Promise<boolean> {
    const { db } = this.deps.sync.store;
    const row = await db.selectFrom('orders').select('id').where('mixpay_trace_id', '=', trace).executeTakeFirst();
    if (!row) return false;
    const order = await findOrder(db, row.id);
    if (!order || snapshot.asset_id !== order.settlement_asset_id) return false;
    await db.updateTable('income_snapshots').set({ order_id: order.id }).where('snapshot_id', '=', snapshot.snapshot_id).execute();
    try {
      const outcome = await syncOrderWithMixPay(this.deps.sync, order, 'income');
      if (outcome.kind === 'changed') this.deps.bus?.publish(order.id);
      return outcome.kind === 'changed' && outcome.order.status === 'PAID';
    } catch (error) {
      // MixPay busy or down: the reconciler checks this order again later and now finds the income.
      this.deps.log(`income: order ${order.id} not re-checked yet: ${(error as Error).message}`);
      return false;
    }
  }
}
