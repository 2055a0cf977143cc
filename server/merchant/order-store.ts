/**
 * Reads and writes orders. Every status change goes through `transitionOrder`, which checks the
 * state machine, bumps `version` with an optimistic lock and writes the history row in the same
 * transaction, so a change is applied once and never half-written.
 */
import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import { hasNul } from '../core/text.ts';
import { canonicalUuid, isUuid, timeOrderedUuid } from '../core/ids.ts';
import type { Database, OrdersTable, OrderStatus } from '../store/schema.ts';
import { queueNotification } from './notifications.ts';
import { canTransition } from './order-state.ts';
import { RESCHEDULE } from './reconcile-schedule.ts';
import { announceOrderChange } from '../store/change-channel.ts';

export type Order = Selectable<OrdersTable>;

export type OrderPatch = Omit<Updateable<OrdersTable>, 'id' | 'status' | 'version' | 'created_at'>;

export async function findOrder(db: Kysely<Database>, id: string): Promise<Order | undefined> {
  // Only a UUID can name an order (anything else, a NUL byte included, never reaches the query).
  if (!isUuid(id)) return undefined;
  return db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst() as Promise<Order | undefined>;
}

/** Finds the order a MixPay callback names, by our orderId first, then by MixPay's traceId. */
export async function findOrderForCallback(db: Kysely<Database>, orderId: unknown, traceId: unknown): Promise<Order | undefined> {
  // No stored id holds a NUL byte (PostgreSQL could not even compare one): such ids name no order.
  if (typeof orderId === 'string' && orderId.length > 0 && orderId.length <= 36 && !hasNul(orderId)) {
    // Our order ids are UUIDs, stored canonical: any spelling of one names the same order (core/ids.ts).
    const byOrder = await db.selectFrom('orders').selectAll().where('mixpay_order_id', '=', canonicalUuid(orderId) ?? orderId).executeTakeFirst();
    if (byOrder) return byOrder as Order;
  }
  if (typeof traceId === 'string' && traceId.length > 0 && traceId.length <= 100 && !hasNul(traceId)) {
    const byTrace = await db
      .selectFrom('orders')
      .selectAll()
      // traceIds are stored canonical; a link code is kept as MixPay wrote it, so both spellings are tried.
      .where((eb) => {
        const spellings = [...new Set([traceId, canonicalUuid(traceId) ?? traceId])];
        return eb.or([eb('mixpay_trace_id', 'in', spellings), eb('mixpay_code', 'in', spellings)]);
      })
      .executeTakeFirst();
    if (byTrace) return byTrace as Order;
  }
  return undefined;
}

export async function recordEvent(
  db: Kysely<Database> | Transaction<Database>,
  orderId: string,
  from: OrderStatus | null,
  to: OrderStatus,
  reason: string,
  detail: unknown,
  now: number,
): Promise<void> {
  await db
    .insertInto('order_events')
    .values({
      // Time-ordered: two rows of one order written in the same millisecond keep their order.
      id: timeOrderedUuid(),
      order_id: orderId,
      from_status: from,
      to_status: to,
      reason,
      detail: detail === undefined ? null : JSON.stringify(detail),
      created_at: now,
    })
    .execute();
}

export interface TransitionResult {
  changed: boolean;
  order: Order;
}

/**
 * Moves an order to `to` when the state machine allows it. Concurrent writers race on `version`;
 * the loser re-reads and decides again, so duplicate news changes nothing. In the same transaction
 * the change is written to the history, queued for the merchant (the outbox), and marked for the
 * reconciler to pick its next check: none of the three can happen without the others.
 */
export async function transitionOrder(
  db: Kysely<Database>,
  id: string,
  to: OrderStatus,
  reason: string,
  patch: OrderPatch,
  detail: unknown,
  now: number,
  /**
   * Only from this status: for decisions drawn from the absence of news (expiry), which must not
   * apply once anything else has moved the order.
   */
  options: {
    onlyFrom?: OrderStatus;
    /** A further history line about the new status (e.g. `underpaid`), written in the same transaction. */
    note?: { reason: string; detail: unknown };
  } = {},
): Promise<TransitionResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await findOrder(db, id);
    if (!current) throw new Error(`order ${id} not found`);
    if (current.status === to || !canTransition(current.status, to)) return { changed: false, order: current };
    if (options.onlyFrom !== undefined && current.status !== options.onlyFrom) return { changed: false, order: current };
    const updated = await db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('orders')
        .set({ ...patch, status: to, version: current.version + 1, updated_at: now, next_check_at: now, check_count: RESCHEDULE })
        .where('id', '=', id)
        .where('version', '=', current.version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return undefined;
      await recordEvent(trx, id, current.status, to, reason, detail, now);
      if (options.note) await recordEvent(trx, id, to, to, options.note.reason, options.note.detail, now);
      // Every process's change feed hears of it once this commits (PostgreSQL; SQLite has one process).
      await announceOrderChange(trx, id, current.version + 1);
      const order = (await trx.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as Order;
      await queueNotification(trx, order, current.status);
      return order;
    });
    if (updated) return { changed: true, order: updated };
  }
  throw new Error(`order ${id}: too much contention to change status`);
}

/** Updates fields that are not the status (links, settlement data), bumping the version and announcing it. */
export async function patchOrder(db: Kysely<Database>, id: string, patch: OrderPatch, now: number): Promise<void> {
  const updated = await db
    .updateTable('orders')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .returning('version')
    .executeTakeFirst();
  // The status route's cache and the change feed learn of a new version only from this.
  if (updated) await announceOrderChange(db, id, updated.version);
}
