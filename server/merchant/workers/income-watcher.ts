/**
 * Income check (issue 4 §8, seed 003 §3): reads the payee bot's Mixin snapshots through the broker's
 * Mixin client (the official SDK, base URL configurable), records every incoming transfer, and
 * when one settles a MixPay payment that an order is waiting on, re-checks that order with MixPay
 * (the same MUST checks) so that it becomes PAID.
 *
 * Which transfer settles which payment is **unconfirmed**: we match MixPay's memo format
 * (contracts §1, base64 `PM|<payment trace id>|...`) in `paymentTraceOf`, the one place to change
 * if MixPay names the payment differently, and require the order's settlement asset.
 */
import Big from 'big.js';
import type { MerchantDeps } from '../deps.ts';
import { decodeMixPayMemo } from '../../core/mixpay-memo.ts';
import { MixinUnavailableError, type MixinSnapshot, type MixinTransfers } from '../../mixin/client.ts';
import { findOrder } from '../order-store.ts';
import { syncOrderWithMixPay, type SyncDeps } from '../payment-sync.ts';
import { runEvery, type Running } from '../../core/worker-loop.ts';

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
    const now = this.deps.sync.now();
    const cursor = await db.selectFrom('merchant_cursors').select('value').where('name', '=', CURSOR).executeTakeFirst();
    let snapshots: MixinSnapshot[];
    try {
      snapshots = await this.deps.mixin.snapshots(cursor?.value, this.deps.batchSize ?? 100);
    } catch (error) {
      if (error instanceof MixinUnavailableError) {
        this.deps.log(`income: ${error.message}`);
        return 0;
      }
      throw error;
    }
    let moved = 0;
    for (const snapshot of snapshots) {
      if (!isIncoming(snapshot)) continue;
      const trace = paymentTraceOf(snapshot);
      await db
        .insertInto('income_snapshots')
        .values({
          snapshot_id: snapshot.snapshot_id,
          asset_id: snapshot.asset_id,
          amount: snapshot.amount,
          opponent_id: snapshot.opponent_id ?? null,
          trace_id: snapshot.trace_id ?? null,
          memo: snapshot.memo?.slice(0, 400) ?? null,
          payment_trace_id: trace,
          order_id: null,
          snapshot_created_at: snapshot.created_at,
          recorded_at: now,
        })
        .onConflict((oc) => oc.column('snapshot_id').doNothing())
        .execute();
      if (trace && (await this.settle(snapshot, trace))) moved += 1;
    }
    const last = snapshots.at(-1);
    if (last) {
      await db
        .insertInto('merchant_cursors')
        .values({ name: CURSOR, value: last.created_at, updated_at: now })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value: last.created_at, updated_at: now }))
        .execute();
    }
    return moved;
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

function isIncoming(snapshot: MixinSnapshot): boolean {
  try {
    return new Big(snapshot.amount).gt(0);
  } catch {
    return false;
  }
}
