/**
 * Reads and writes broker orders. Every status change goes through `transitionBrokerOrder`, which
 * checks the state machine (`canMove`), bumps `version` under a compare-and-set and writes the
 * history row in the same transaction, so a change is applied once and never half-written. The
 * merchant half's `transitionOrder` (server/merchant/order-store.ts) is the same rule.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { BrokerOrderEventsTable, BrokerOrdersTable, BrokerOrderStatus, Database } from '../store/schema.ts';
import { preparedStatements } from '../store/sqlite-statements.ts';
import { groupCommit, namedQuery, storeBehind, type Store } from '../store/db.ts';
import { pgGroupCommit } from '../store/pg-group-commit.ts';
import { toUnits } from '../core/amounts.ts';
import { canMove, holdAfterMove } from './order-state.ts';
import { availableToPromise, keepHold, releaseHold, spendBalance } from './reservations.ts';

export type BrokerOrder = Selectable<BrokerOrdersTable>;

/** Fields a status change may set beside the status; the version and times are the store's. */
export type BrokerOrderPatch = Omit<Updateable<BrokerOrdersTable>, 'trace_id' | 'status' | 'version' | 'created_at' | 'updated_at'>;

export interface BrokerTransition {
  changed: boolean;
  order: BrokerOrder;
}

export async function findOrder(db: Kysely<Database>, traceId: string): Promise<BrokerOrder | undefined> {
  return db.selectFrom('broker_orders').selectAll().where('trace_id', '=', traceId).executeTakeFirst();
}

/** One history row; `from === to` records something that is not a move (a take-over). */
function eventRow(order: BrokerOrder, to: BrokerOrderStatus, version: number, reason: string, detail: unknown, now: number): Insertable<BrokerOrderEventsTable> {
  return {
    id: randomUUID(),
    trace_id: order.trace_id,
    from_status: order.status,
    to_status: to,
    version,
    reason: reason.slice(0, 200),
    detail: detail === undefined ? null : JSON.stringify(detail),
    created_at: now,
  };
}

async function recordBrokerEvent(
  trx: Kysely<Database>,
  order: BrokerOrder,
  to: BrokerOrderStatus,
  version: number,
  reason: string,
  detail: unknown,
  now: number,
): Promise<void> {
  await trx.insertInto('broker_order_events').values(eventRow(order, to, version, reason, detail, now)).execute();
}

/**
 * Moves an order to `to` when the table allows it from the status it has now; otherwise changes
 * nothing and says so (`changed: false`), so repeated news is harmless. Concurrent writers race
 * on `version`: the loser re-reads and decides again. Given a transaction (a job or an outbox
 * row that must commit with the move), it runs inside it; otherwise it opens its own. A caller
 * that has the row as it just wrote it (create_order) passes it as `seen`: the first attempt
 * trusts it instead of reading, and the compare-and-set on its version catches a stale one.
 */
export async function transitionBrokerOrder(
  db: Kysely<Database>,
  traceId: string,
  to: BrokerOrderStatus,
  reason: string,
  patch: BrokerOrderPatch,
  now: number,
  detail?: unknown,
  seen?: BrokerOrder,
): Promise<BrokerTransition> {
  // The row as just written and a move that leaves the hold alone (create_order's CREATING ->
  // NEW): the same compare-and-set and history row as one synchronous SQLite transaction (which
  // does not hold Kysely's one connection across awaits; held-order.ts says why) or one
  // PostgreSQL statement, instead of four round trips.
  const store = seen && !db.isTransaction && holdAfterMove(to) === 'unchanged' && to !== 'SETTLED' && canMove(seen.status, to) ? storeBehind(db) : undefined;
  if (store) {
    const moved = seen!.trace_id === traceId ? await moveAtOnce(store, seen!, to, reason, patch, now, detail) : undefined;
    if (moved) return { changed: true, order: moved };
  }
  const run = async (trx: Kysely<Database>): Promise<BrokerTransition> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = attempt === 0 && seen?.trace_id === traceId ? seen : await findOrder(trx, traceId);
      if (!current) throw new Error(`broker order ${traceId} not found`);
      if (!canMove(current.status, to)) {
        if (current === seen) continue;
        return { changed: false, order: current };
      }
      const version = Number(current.version) + 1;
      const moved = await trx
        .updateTable('broker_orders')
        .set({ ...patch, status: to, version, updated_at: now })
        .where('trace_id', '=', traceId)
        .where('version', '=', Number(current.version))
        .returningAll()
        .executeTakeFirst();
      if (!moved) continue;
      await moveHold(trx, current, to);
      await recordBrokerEvent(trx, current, to, version, reason, detail, now);
      // A hold change is not a status change: re-read only when the move touched the hold.
      return { changed: true, order: holdAfterMove(to) === 'unchanged' && to !== 'SETTLED' ? moved : (await findOrder(trx, traceId))! };
    }
    throw new Error(`broker order ${traceId}: too much contention to change status`);
  };
  return db.isTransaction ? run(db) : db.transaction().execute((trx: Transaction<Database>) => run(trx));
}

const EVENT_TEXT = 'insert into "broker_order_events" ("id", "trace_id", "from_status", "to_status", "version", "reason", "detail", "created_at") values (?, ?, ?, ?, ?, ?, ?, ?)';
const moveTexts = new Map<string, string>();

/**
 * The compare-and-set of a move that also sets `columns` (from a BrokerOrderPatch), built once per
 * set of columns and dialect. Its values: the columns', then status, version, updated_at, the
 * trace_id and the version seen. On PostgreSQL it also writes the history row from the moved row
 * (four more values: the event's id, from_status, reason and detail) and counts the moved rows.
 */
function moveText(columns: string[], dialect: 'sqlite' | 'postgres'): string {
  const key = `${dialect}|${columns.join(',')}`;
  let text = moveTexts.get(key);
  if (!text) {
    let n = 0;
    const next = () => (dialect === 'sqlite' ? '?' : `$${++n}`);
    const set = [...columns, 'status', 'version', 'updated_at'].map((column) => `"${column}" = ${next()}`).join(', ');
    text = `update "broker_orders" set ${set} where "trace_id" = ${next()} and "version" = ${next()}`;
    if (dialect === 'postgres') {
      text = `with moved as (${text} returning "trace_id", "status", "version", "updated_at"),
    event as (insert into "broker_order_events" ("id", "trace_id", "from_status", "to_status", "version", "reason", "detail", "created_at")
    select ${next()}, "trace_id", ${next()}, "status", "version", ${next()}, ${next()}, "updated_at" from moved)
    select count(*) as n from moved`;
    }
    moveTexts.set(key, text);
  }
  return text;
}

/** One move in one step (on SQLite in a group commit); undefined when the version no longer matches. */
async function moveAtOnce(store: Store, current: BrokerOrder, to: BrokerOrderStatus, reason: string, patch: BrokerOrderPatch, now: number, detail: unknown): Promise<BrokerOrder | undefined> {
  const version = Number(current.version) + 1;
  const { sqlite, pool } = store;
  // The moved row is the one seen with the move applied, so it is not read back.
  const set = Object.entries(patch).filter(([, value]) => value !== undefined);
  const moved = () => ({ ...current, ...Object.fromEntries(set), status: to, version, updated_at: now }) as BrokerOrder;
  // Texts built once per set of patched columns, not compiled by Kysely per request.
  const columns = set.map(([column]) => column);
  const values = [...set.map(([, value]) => value), to, version, now, current.trace_id, Number(current.version)];
  const event = eventRow(current, to, version, reason, detail, now);
  if (sqlite) {
    const prepare = preparedStatements(sqlite);
    const update = prepare(moveText(columns, 'sqlite'));
    const insert = prepare(EVENT_TEXT);
    return groupCommit({ ...store, sqlite }, () => {
      if (update.run(...values).changes !== 1) return undefined;
      insert.run(event.id, event.trace_id, event.from_status, event.to_status, event.version, event.reason, event.detail, event.created_at);
      return moved();
    });
  }
  if (!pool) return undefined;
  // One statement: the history row is written only with the move, and takes its order, status,
  // version and time from the moved row. It runs in the next group commit of moves (a lane of
  // its own beside create_order's inserts, held-order.ts, pg-group-commit.ts `laneOf`), so a
  // burst of orders commits its moves in a few transactions, not one each, and they never wait
  // for the inserts' reservation row.
  const statement = namedQuery(moveText(columns, 'postgres'), [...values, event.id, event.from_status, event.reason, event.detail]);
  return pgGroupCommit(pool, statement, `order:${current.trace_id}`, (result) => (Number((result.rows[0] as { n: number | string }).n) === 1 ? moved() : undefined));
}

/** The hold change a move makes, in the move's transaction; a settled order's money has left the balance. */
async function moveHold(trx: Kysely<Database>, order: BrokerOrder, to: BrokerOrderStatus): Promise<void> {
  const effect = holdAfterMove(to);
  if (effect === 'release') await releaseHold(trx, order.trace_id);
  else if (effect === 'until_transfer') await keepHold(trx, order, toUnits(order.amount), null);
  else if (effect === 'until_expiry') await keepHold(trx, order, toUnits(order.amount), Number(order.expired_at));
  if (to === 'SETTLED') await spendBalance(trx, order.asset_id, toUnits(order.amount));
}

/**
 * A retry of create_order taking over a reservation whose request died (still CREATING, and
 * untouched for longer than a request lives). Not a status change, so not a move of the table:
 * the order stays CREATING, its version and `updated_at` are bumped under the same
 * compare-and-set, and the history says who took it over. Only one retry wins.
 */
export async function takeOverCreation(db: Kysely<Database>, order: BrokerOrder, now: number): Promise<boolean> {
  if (order.status !== 'CREATING') return false;
  return db.transaction().execute(async (trx) => {
    const version = Number(order.version) + 1;
    const result = await trx
      .updateTable('broker_orders')
      .set({ version, updated_at: now })
      .where('trace_id', '=', order.trace_id)
      .where('status', '=', 'CREATING')
      .where('version', '=', Number(order.version))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    await keepHold(trx, order, toUnits(order.amount), Number(order.expired_at));
    await recordBrokerEvent(trx, order, 'CREATING', version, 'create:take_over', { idle_ms: now - Number(order.updated_at) }, now);
    return true;
  });
}

/** An order's history, oldest first, with `detail` parsed back from JSON. */
export async function brokerHistoryOf(db: Kysely<Database>, traceId: string) {
  const rows = await db.selectFrom('broker_order_events').selectAll().where('trace_id', '=', traceId).orderBy('version').orderBy('created_at').execute();
  return rows.map((row) => ({
    at_t: Number(row.created_at),
    from: row.from_status,
    to: row.to_status,
    version: Number(row.version),
    reason: row.reason,
    detail: row.detail ? (JSON.parse(row.detail) as unknown) : null,
  }));
}

/** The synced balance minus what open orders hold, or null when never synced (reservations.ts). */
export async function availableBalance(db: Kysely<Database>, assetId: string, now: number): Promise<string | null> {
  return availableToPromise(db, assetId, now);
}
