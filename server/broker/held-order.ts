/**
 * create_order's one write before the wallet call: the CREATING row and its hold on the balance,
 * in one transaction (reservations.ts takes the hold; a refused hold rolls the insert back).
 *
 * On SQLite the transaction runs synchronously on better-sqlite3 with statements prepared once,
 * as this request's savepoint of a group commit (store/db.ts `groupCommit`): every create_order
 * that arrived in the same turn of the event loop shares one BEGIN IMMEDIATE ... COMMIT, and each
 * is answered only after it. Through Kysely the same transaction held SQLite's single connection
 * across five awaits, so every other query of the process queued behind it: that was most of
 * create_order's latency under load (issue 12 §4). A group that finds a Kysely transaction open
 * on the connection waits its turn like any query, since writing then would join that
 * transaction. On PostgreSQL it is one statement, in a group commit of its own kind.
 */
import type { Insertable } from 'kysely';
import type pg from 'pg';
import type SQLite from 'better-sqlite3';
import { groupCommit, namedQuery, type Store } from '../store/db.ts';
import { pgGroupCommit } from '../store/pg-group-commit.ts';
import type { BrokerOrdersTable } from '../store/schema.ts';
import { preparedStatements } from '../store/sqlite-statements.ts';
import { compiledHoldUpdates, HoldRefusedError, takeHold, type CompiledHold, type HoldCaps, type HoldOwner } from './reservations.ts';

export type HeldOrderRow = Insertable<BrokerOrdersTable> & HoldOwner & { held_units: string; created_at: number };

/** Inserts the row and takes its hold; false when the trace_id is taken. Throws HoldRefusedError. */
export async function insertHeldOrder(store: Store, row: HeldOrderRow, caps: HoldCaps): Promise<boolean> {
  const { sqlite } = store;
  if (sqlite) return insertNow({ ...store, sqlite }, row, caps);
  if (store.pool) return insertOnPostgres(store, store.pool, row, caps);
  return store.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('broker_orders')
      .values(row)
      .onConflict((oc) => oc.column('trace_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
    await takeHold(trx, row, row.held_units, row.created_at, caps);
    return true;
  });
}

/** Kysely's numbering of `$n` placeholders moved up by `by`, to join compiled statements into one. */
const shifted = (text: string, by: number) => text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + by}`);

/** The text the refusal below makes PostgreSQL quote in its error, to tell it from any other. */
const REFUSED = 'hold refused';

/**
 * PostgreSQL: the insert and both hold updates as one statement of data-modifying CTEs, each
 * step only if the one before it changed its rows (so the bot's row is still locked first), run
 * as this request's savepoint of a group commit (store/pg-group-commit.ts): the bot's row is
 * locked from the group's first order of the asset to its COMMIT, and the orders that queued on
 * it wait for one WAL flush per group instead of one each (issue 12 §4). A hold refused after the
 * insert must undo the insert, and the group sends its statements without waiting for each
 * answer, so the statement itself fails: casting a text that is not a number to int raises an
 * error, and only rows counted at run time decide whether it is cast. The group then rolls this
 * order back to its savepoint. A trace_id already taken changes nothing and needs no undo.
 */
async function insertOnPostgres(store: Store, pool: pg.Pool, row: HeldOrderRow, caps: HoldCaps): Promise<boolean> {
  const columns = Object.keys(row);
  const [bot, rest] = compiledHoldUpdates(store.db, row, row.held_units, caps);
  const values: unknown[] = columns.map((c) => (row as Record<string, unknown>)[c]);
  values.push(...bot!.parameters, ...rest!.parameters);
  try {
    return await pgGroupCommit(pool, namedQuery(postgresInsertText(columns, bot!, rest!), values), `reservations:${row.asset_id}`, (result) => (result.rows[0] as { ins: number }).ins === 1);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === '22P02' && e.message?.includes(REFUSED)) throw new HoldRefusedError('balance', 'a reservation row refused the hold');
    throw error;
  }
}

/** insertOnPostgres's statement for one set of columns and one shape of holds, built once. */
const postgresInsertTexts = new Map<string, string>();

function postgresInsertText(columns: string[], bot: CompiledHold, rest: CompiledHold): string {
  const key = `${columns.join(',')}|${bot.sql}|${bot.rows}|${rest.sql}|${rest.rows}`;
  let text = postgresInsertTexts.get(key);
  if (!text) {
    const insert = insertSql(columns, (i) => `$${i + 1}`);
    const restAt = columns.length + bot.parameters.length;
    text = `with ins as (${insert} returning 1),
    bot as (${shifted(bot.sql, columns.length)} and exists (select 1 from ins) returning 1),
    rest as (${shifted(rest.sql, restAt)} and exists (select 1 from bot) returning 1),
    counts as (select (select count(*) from ins) as ins, (select count(*) from bot) as bot, (select count(*) from rest) as rest)
    select cast(ins as int) as ins, cast(case when ins = 1 and (bot <> ${bot.rows} or rest <> ${rest.rows}) then '${REFUSED}' else '0' end as int) as refused from counts`;
    postgresInsertTexts.set(key, text);
  }
  return text;
}

/** The row's insert, a trace_id already taken changing nothing; `placeholder` spells the i-th value. */
function insertSql(columns: string[], placeholder: (i: number) => string): string {
  return `insert into "broker_orders" (${columns.map((c) => `"${c}"`).join(', ')}) values (${columns.map((_, i) => placeholder(i)).join(', ')}) on conflict ("trace_id") do nothing`;
}

/** SQLite's insert text for one set of columns (a row's keys are always the same few). */
const insertTexts = new Map<string, string>();

function insertText(columns: string[]): string {
  const key = columns.join(',');
  let text = insertTexts.get(key);
  if (!text) {
    text = insertSql(columns, () => '?');
    insertTexts.set(key, text);
  }
  return text;
}

/** SQLite: the insert and the hold's update in this request's savepoint of the next group commit. */
function insertNow(store: Store & { sqlite: SQLite.Database }, row: HeldOrderRow, caps: HoldCaps): Promise<boolean> {
  const prepare = preparedStatements(store.sqlite);
  const columns = Object.keys(row);
  const insert = prepare(insertText(columns));
  const values = columns.map((c) => (row as Record<string, unknown>)[c]);
  // One update of every scope's row, compiled once per shape: SQLite runs one writer at a time,
  // so the bot's row need not be taken alone first as on PostgreSQL.
  const [hold] = compiledHoldUpdates(store.db, row, row.held_units, caps, false);
  const update = prepare(hold!.sql);
  return groupCommit(store, () => {
    if (insert.run(...values).changes !== 1) return false;
    // Throwing rolls this request's savepoint back, the insert with it.
    if (update.run(...hold!.parameters).changes !== hold!.rows) throw new HoldRefusedError('balance', 'a reservation row refused the hold');
    return true;
  });
}
