/**
 * Reading a Mixin bot's incoming transfers from a stored cursor, for both halves: the merchant's
 * income watcher (the payee bot, seed 003 §3) and the broker's refund watcher (the broker bot,
 * MixPay's `RF` refunds). One implementation: the cursor, the paging, what counts as incoming and
 * the columns every recorded snapshot shares; each half decides what a transfer means.
 *
 * Each half keeps its own cursor table (`merchant_cursors`, `broker_cursors`): the two have the
 * same shape, and merging them would move live cursor rows in a migration for no behaviour
 * gained, with the risk of re-reading (or skipping) transfers if it went wrong.
 */
import Big from 'big.js';
import type { Kysely } from 'kysely';
import type { MixinSnapshot, MixinTransfers } from '../mixin/client.ts';
import type { Database } from '../store/schema.ts';
import { escapeUnstorable } from './text.ts';

export type CursorTable = 'merchant_cursors' | 'broker_cursors';

export interface SnapshotCursor {
  read(): Promise<string | undefined>;
  write(value: string): Promise<void>;
}

/** A named cursor row in one half's cursor table. */
export function storedCursor(db: Kysely<Database>, table: CursorTable, name: string, now: () => number): SnapshotCursor {
  // Both tables are (name, value, updated_at); one name for the type keeps Kysely's inference simple.
  const t = table as 'broker_cursors';
  return {
    async read() {
      const row = await db.selectFrom(t).select('value').where('name', '=', name).executeTakeFirst();
      return row?.value;
    },
    async write(value) {
      const at = now();
      await db
        .insertInto(t)
        .values({ name, value, updated_at: at })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: at }))
        .execute();
    },
  };
}

/** Money in: a positive amount. A snapshot whose amount is not a number is not incoming. */
export function isIncoming(snapshot: Pick<MixinSnapshot, 'amount'>): boolean {
  try {
    return new Big(snapshot.amount).gt(0);
  } catch {
    return false;
  }
}

/** The columns both halves record for a snapshot (`income_snapshots`, `broker_incoming`). */
export function snapshotColumns(snapshot: MixinSnapshot, now: number) {
  // Whatever Mixin sent fits the columns: a NUL byte or an over-long value must not fail the
  // insert, or the reader would stop at this snapshot for good (issue 13 High 2).
  const text = (value: unknown, max: number) => escapeUnstorable(String(value ?? '')).slice(0, max);
  const optional = (value: unknown, max: number) => (value === undefined || value === null ? null : text(value, max));
  return {
    snapshot_id: text(snapshot.snapshot_id, 100),
    asset_id: text(snapshot.asset_id, 36),
    amount: text(snapshot.amount, 40),
    opponent_id: optional(snapshot.opponent_id, 36),
    trace_id: optional(snapshot.trace_id, 100),
    memo: optional(snapshot.memo, 400),
    snapshot_created_at: text(snapshot.created_at, 40),
    recorded_at: now,
  };
}

export interface SnapshotPoll {
  mixin: Pick<MixinTransfers, 'snapshots'>;
  cursor: SnapshotCursor;
  pageSize: number;
  /** Pages per round: the merchant reads one, the broker reads until Mixin has no more. */
  maxPages: number;
  /** Handles one incoming snapshot (seen before or not); true when it counts for the round. */
  handle(snapshot: MixinSnapshot): Promise<boolean>;
}

/**
 * Reads pages after the stored cursor and hands each incoming snapshot to `handle`; returns how
 * many counted. Mixin's offset may be inclusive (unconfirmed): the snapshot at the cursor comes
 * back, and each half's record, keyed by snapshot_id, skips it.
 */
export async function pollIncomingSnapshots(poll: SnapshotPoll): Promise<number> {
  let counted = 0;
  for (let page = 0; page < poll.maxPages; page++) {
    const cursor = await poll.cursor.read();
    const snapshots = await poll.mixin.snapshots(cursor, poll.pageSize);
    for (const snapshot of snapshots) {
      if (isIncoming(snapshot) && (await poll.handle(snapshot))) counted += 1;
    }
    const last = snapshots.at(-1);
    if (!last || last.created_at === cursor) break;
    await poll.cursor.write(last.created_at);
    if (snapshots.length < poll.pageSize) break;
  }
  return counted;
}
