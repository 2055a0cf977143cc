/**
 * The refund watcher: reads the broker bot's incoming transfers from a stored cursor (contracts
 * §3) through the shared poller (core/snapshot-poller.ts, as the merchant's income watcher does). A MixPay refund (`RF`
 * memo, from the bot the order paid, of the order's amount) marks its order refunded by MixPay
 * with the reason and queues the customer's refund through the wallet; any other incoming
 * transfer, a look-alike memo from someone else included, is recorded for the operator, never dropped.
 */
import Big from 'big.js';
import { pollIncomingSnapshots, snapshotColumns, storedCursor } from '../../core/snapshot-poller.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { MixinSnapshot } from '../../mixin/client.ts';
import type { BrokerDeps } from '../deps.ts';
import { decodeRefundMemo } from '../../core/mixpay-memo.ts';
import { sameId } from '../../core/ids.ts';
import { escapeUnstorable, rawTextBase64 } from '../../core/text.ts';
import { isConnectionLost } from '../../store/db.ts';
import { findOrder, transitionBrokerOrder } from '../order-store.ts';
import { enqueueJob } from '../job-queue.ts';

export const SNAPSHOT_CURSOR = 'mixin_snapshots';
const PAGE = 500;

type Outcome = { outcome: 'mixpay_refund' | 'unmatched'; orderTraceId: string | null; note: string };

async function record(trx: Transaction<Database>, snapshot: MixinSnapshot, result: Outcome, now: number): Promise<boolean> {
  const inserted = await trx
    .insertInto('broker_incoming')
    .values({
      ...snapshotColumns(snapshot, now),
      memo_base64: rawTextBase64(snapshot.memo),
      outcome: result.outcome,
      order_trace_id: result.orderTraceId,
      note: escapeUnstorable(result.note).slice(0, 400),
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
  } else if (!sameId(order.asset_id, snapshot.asset_id)) {
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `refund in ${snapshot.asset_id}, but the order was in ${order.asset_id}` };
  } else if (order.status !== 'SETTLED' && order.status !== 'PAID') {
    result = { outcome: 'unmatched', orderTraceId: order.trace_id, note: `refund for an order that is ${order.status}` };
  } else if (!snapshot.opponent_id || !sameId(snapshot.opponent_id, order.opponent_id)) {
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
  return pollIncomingSnapshots({
    mixin: deps.mixin,
    cursor: storedCursor(deps.store.db, 'broker_cursors', SNAPSHOT_CURSOR, deps.now),
    pageSize: PAGE,
    maxPages: Infinity,
    handle: (snapshot) => handleGuarded(deps, snapshot),
  });
}

/**
 * One snapshot never stops the reader: a snapshot that cannot be handled is recorded as
 * unmatched, as far as it can be, and alerted, and the reader moves on to the refunds behind
 * it. Only a lost database connection stops the round, to be read again from the cursor.
 */
async function handleGuarded(deps: BrokerDeps, snapshot: MixinSnapshot): Promise<boolean> {
  try {
    return (await handleIncoming(deps, snapshot)) !== null;
  } catch (error) {
    if (isConnectionLost(error)) throw error;
    const message = (error as Error).message ?? String(error);
    deps.log(`[broker] incoming snapshot ${JSON.stringify(String(snapshot.snapshot_id).slice(0, 100))} could not be handled: ${message}`);
    const recorded = await deps.store.db
      .transaction()
      .execute((trx) => record(trx, snapshot, { outcome: 'unmatched', orderTraceId: null, note: `could not be handled: ${message}` }, deps.now()))
      .catch(() => false);
    await deps.alerts.alert({
      key: `unhandled:${String(snapshot.snapshot_id).slice(0, 100)}`,
      kind: 'unmatched_transfer',
      message: `incoming ${String(snapshot.amount)} of ${String(snapshot.asset_id)} could not be handled (${recorded ? 'recorded as unmatched' : 'not recorded'}): ${message}`,
      details: { snapshot: JSON.stringify(snapshot).slice(0, 2000) },
    });
    return recorded;
  }
}
