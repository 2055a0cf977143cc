/**
 * Reads the bot's incoming transfers from a stored cursor (contracts §3). A MixPay refund (`RF`
 * memo, from the bot the order paid, of the order's amount) marks its order refunded by MixPay
 * with the reason and queues the customer's refund through the wallet; any other incoming
 * transfer, a look-alike memo from someone else included, is recorded for the operator, never dropped.
 */
import Big from 'big.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { MixinSnapshot } from '../../mixin/client.ts';
import type { BrokerDeps } from '../deps.ts';
import { decodeRefundMemo } from '../../core/mixpay-memo.ts';
import { findOrder, transitionBrokerOrder } from '../order-store.ts';
import { enqueueJob } from '../job-queue.ts';

export const SNAPSHOT_CURSOR = 'mixin_snapshots';
const PAGE = 500;

async function readCursor(deps: BrokerDeps): Promise<string | undefined> {
  const row = await deps.store.db.selectFrom('broker_cursors').select('value').where('name', '=', SNAPSHOT_CURSOR).executeTakeFirst();
  return row?.value;
}

async function writeCursor(deps: BrokerDeps, value: string): Promise<void> {
  const now = deps.now();
  await deps.store.db
    .insertInto('broker_cursors')
    .values({ name: SNAPSHOT_CURSOR, value, updated_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}

type Outcome = { outcome: 'mixpay_refund' | 'unmatched'; orderTraceId: string | null; note: string };

async function record(trx: Transaction<Database>, snapshot: MixinSnapshot, result: Outcome, now: number): Promise<boolean> {
  const inserted = await trx
    .insertInto('broker_incoming')
    .values({
      snapshot_id: snapshot.snapshot_id,
      asset_id: snapshot.asset_id,
      amount: snapshot.amount,
      opponent_id: snapshot.opponent_id ?? null,
      trace_id: snapshot.trace_id ?? null,
      memo: snapshot.memo?.slice(0, 400) ?? null,
      outcome: result.outcome,
      order_trace_id: result.orderTraceId,
      note: result.note.slice(0, 400),
      snapshot_created_at: snapshot.created_at,
      recorded_at: now,
    })
    .onConflict((oc) => oc.column('snapshot_id').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Handles one incoming snapshot; a snapshot seen before changes nothing. */
export async function handleIncoming(deps: BrokerDeps, snapshot: MixinSnapshot): Promise<Outcome | null> {
  const now = deps.now();
  const refund = decodeRefundMemo(snapshot.memo);
  const order = refund ? await findOrder(deps.store.db, refund.traceId) : undefined;
  let result: Outcome;
  if (!refund) {
    result = { outcome: 'unmatched', orderTraceId: null, note: 'memo is not a MixPay refund' };
  } else if (!order) {
    result = { outcome: 'unmatched', orderTraceId: null, note: `refund for unknown trace_id ${refund.traceId} (code ${refund.code})` };
  } else if (order.asset_id !== snapshot.asset_id) {
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `refund in ${snapshot.asset_id}, but the order was in ${order.asset_id}` };
  } else if (order.status !== 'SETTLED' && order.status !== 'PAID') {
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `refund for an order that is ${order.status}` };
  } else if (snapshot.opponent_id !== order.opponent_id) {
    // Anyone can send the bot a transfer with this memo: only the bot the broker paid is MixPay.
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `RF memo from ${snapshot.opponent_id ?? 'an unknown sender'}, not from ${order.opponent_id} whom the order paid` };
  } else if (!new Big(snapshot.amount).eq(new Big(order.amount))) {
    // The customer is refunded in full only for the full amount back; anything else is the operator's call.
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `${refund.reason} (${refund.code}), but MixPay returned ${snapshot.amount} and the order was ${order.amount}` };
  } else {
    result = { outcome: 'mixpay_refund', orderTraceId: order.trace_id, note: `${refund.reason} (${refund.code})` };
  }
  const fresh = await deps.store.db.transaction().execute(async (trx) => {
    if (!(await record(trx, snapshot, result, now))) return false;
    if (result.outcome === 'mixpay_refund' && refund) {
      await transitionBrokerOrder(trx, refund.traceId, 'MIXPAY_REFUNDED', 'mixpay:refunded', { refund_code: refund.code, refund_reason: refund.reason }, now, { snapshot_id: snapshot.snapshot_id });
      await enqueueJob(trx, 'wallet_refund', refund.traceId, `MixPay refunded: ${refund.reason} (${refund.code})`, now);
    }
    return true;
  });
  if (!fresh) return null;
  if (result.outcome === 'unmatched') {
    await deps.alerts.alert({
      key: `unmatched:${snapshot.snapshot_id}`,
      kind: 'unmatched_transfer',
      message: `incoming ${snapshot.amount} of ${snapshot.asset_id} from ${snapshot.opponent_id ?? '?'} not matched: ${result.note}`,
      details: { snapshot_id: snapshot.snapshot_id, memo: snapshot.memo ?? null },
    });
  } else {
    deps.log(`[broker] MixPay refunded ${snapshot.amount} for ${result.orderTraceId}: ${result.note}; refunding the customer`);
  }
  return result;
}

/** Reads snapshots after the stored cursor until Mixin has no more; returns how many were incoming. */
export async function pollSnapshots(deps: BrokerDeps): Promise<number> {
  let handled = 0;
  for (;;) {
    const cursor = await readCursor(deps);
    const page = await deps.mixin.snapshots(cursor, PAGE);
    // Mixin's offset may be inclusive: a snapshot at the cursor comes back and is skipped by id.
    for (const snapshot of page) {
      if (new Big(snapshot.amount).gt(0) && (await handleIncoming(deps, snapshot))) handled += 1;
    }
    const last = page[page.length - 1];
    if (!last || last.created_at === cursor) break;
    await writeCursor(deps, last.created_at);
    if (page.length < PAGE) break;
  }
  return handled;
}
