/**
 * What the bot has promised, as maintained values (issue 12 §4). Each order that holds part of
 * the balance carries `held_units` (its amount in 10^-8 units) and, while unpaid, the time the
 * hold lapses; `broker_reservations` keeps their sum and count per asset for the bot and for each
 * payee and source, changed in the same transaction as the order. create_order then checks one
 * row with a conditional update instead of summing open orders, and stays exact under
 * concurrency: the update only applies while `reserved + amount ≤ balance`.
 *
 * The synced balance sits on the bot's row itself (`balance_units`), so the check reads no other
 * table: PostgreSQL, having waited for a concurrent writer's lock, re-checks the condition against
 * the row's latest version, and the check stays exact under READ COMMITTED with no extra lock.
 * Holds that lapsed (an unpaid order past expired_at) are released by the balance sync, and by a
 * create_order they would otherwise refuse (indexed on `(asset_id, hold_expires_at)`), so a
 * lapsed hold never turns an order away. Every writer changes an asset's bot row first and holds
 * it to commit, so writers of one asset queue on it and never deadlock on the rows after it.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { Dialect } from '../store/db.ts';
import { fromUnits, toUnits } from '../core/amounts.ts';

/** The per-payee and per-source caps; null is no cap. Percentages are of the synced balance. */
export interface HoldCaps {
  payee: { open_orders: number | null; reserved_percent: number };
  source: { open_orders: number | null; reserved_percent: number };
}

export interface HoldOwner {
  asset_id: string;
  payee_id: string;
  source: string | null;
}

/** Why a hold was refused: the bot's balance, or a payee's or a source's cap. */
export class HoldRefusedError extends Error {
  override name = 'HoldRefusedError';
  constructor(
    readonly scope: 'balance' | 'payee' | 'source',
    message: string,
  ) {
    super(message);
  }
}

const BOT = 'bot';


const scopesOf = (owner: HoldOwner): string[] => [BOT, `payee:${owner.payee_id}`, ...(owner.source ? [`source:${owner.source}`] : [])];
const units = (value: string) => sql`cast(${value} as bigint)`;

/** Locks the bot's row of an asset (PostgreSQL; SQLite runs one write transaction at a time). */
async function lockBot(trx: Kysely<Database>, dialect: Dialect, assetId: string): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql`select 1 from broker_reservations where scope = ${BOT} and asset_id = ${assetId} for update`.execute(trx);
}

/** Held units of orders of `assetId` whose hold lapsed at `now` but is not yet released. */
const lapsed = (assetId: string, now: number) =>
  sql`(select coalesce(sum(held_units), 0) from broker_orders where asset_id = ${assetId} and hold_expires_at <= ${now})`;
const balanceUnits = (assetId: string) => sql`(select balance_units from broker_reservations where scope = ${BOT} and asset_id = ${assetId})`;

/** The condition each scope's row must meet to take `heldUnits` more (see takeHold). */
function holdCondition(owner: HoldOwner, heldUnits: string, now: number, caps: HoldCaps) {
  const capOf = (cap: HoldCaps['payee']) => {
    const open = cap.open_orders === null ? sql`1 = 1` : sql`open_orders + 1 <= ${cap.open_orders}`;
    const share = cap.reserved_percent >= 100 ? sql`1 = 1` : sql`(reserved_units + ${units(heldUnits)}) * 100 <= ${balanceUnits(owner.asset_id)} * ${cap.reserved_percent}`;
    return sql`(${open} and ${share})`;
  };
  // The balance row's existence too: with no synced balance (never synced, or removed) nothing is promised.
  return sql`case when scope = ${BOT} then reserved_units + ${units(heldUnits)} <= balance_units and exists (select 1 from broker_balances where asset_id = ${owner.asset_id})
    when scope like 'payee:%' then ${capOf(caps.payee)} else ${capOf(caps.source)} end`;
}

/**
 * Takes a hold for a new order inside its insert's transaction: one conditional update of the
 * bot's row, then of the payee's and the source's, which must all match, or HoldRefusedError (the
 * caller's transaction then rolls back the insert, and `whyRefused` says which one). A payee or
 * source seen for the first time has no row yet, and a refusal may be owed to holds that lapsed:
 * the caller creates the rows (`ensureScopeRows`) or releases them (`releaseLapsedHolds`) and
 * tries again.
 */
export async function takeHold(trx: Kysely<Database>, owner: HoldOwner, heldUnits: string, now: number, caps: HoldCaps): Promise<void> {
  for (const { query, rows } of holdUpdates(owner, heldUnits, now, caps)) {
    const result = await query.execute(trx);
    if (Number(result.numAffectedRows ?? 0n) !== rows) throw new HoldRefusedError('balance', 'a reservation row refused the hold');
  }
}

/**
 * takeHold's two conditional updates, in order, each with the number of rows it must change:
 * the bot's row alone first, since every writer of the asset takes it first and holds it to
 * commit, so the payee's and source's rows after it are never locked in two orders (PostgreSQL
 * locks a multi-row update's rows in heap order, which changes as rows are rewritten).
 */
export function holdUpdates(owner: HoldOwner, heldUnits: string, now: number, caps: HoldCaps, split = true): Array<{ query: RawBuilder<unknown>; rows: number }> {
  const scopes = scopesOf(owner);
  const take = (rows: string[]) => sql`update broker_reservations set reserved_units = reserved_units + ${units(heldUnits)}, open_orders = open_orders + 1
    where asset_id = ${owner.asset_id} and scope in (${sql.join(rows)}) and ${holdCondition(owner, heldUnits, now, caps)}`;
  // Unsplit, one update of every scope's row: for SQLite, where one writer at a time locks nothing in any order.
  return (split ? [scopes.slice(0, 1), scopes.slice(1)] : [scopes]).map((rows) => ({ query: take(rows), rows: rows.length }));
}

export interface CompiledHold {
  sql: string;
  parameters: readonly unknown[];
  rows: number;
}

/** Stand-ins for a request's own values, told apart from a compiled template's constants (the bot's scope, the caps). */
const STAND_IN: HoldOwner & { held: string } = { asset_id: '\u0000asset', payee_id: '\u0000payee', source: '\u0000source', held: '\u0000held' };
const [, PAYEE_STAND_IN, SOURCE_STAND_IN] = scopesOf(STAND_IN);

const holdTemplates = new WeakMap<object, Map<string, CompiledHold[]>>();

/**
 * holdUpdates as `db` compiles them, compiled once per shape (split or not, with or without a
 * source, the caps) instead of on every create_order: Kysely's compile was a few percent of its
 * CPU (issue 12 §4). A shape's template is compiled from stand-in values, each then replaced by
 * the request's own; every other parameter is a constant of the shape. (`now` is no part of the
 * condition.)
 */
export function compiledHoldUpdates(db: Kysely<Database>, owner: HoldOwner, heldUnits: string, caps: HoldCaps, split = true): CompiledHold[] {
  let byShape = holdTemplates.get(db);
  if (!byShape) holdTemplates.set(db, (byShape = new Map()));
  const key = `${split}|${Boolean(owner.source)}|${caps.payee.open_orders}|${caps.payee.reserved_percent}|${caps.source.open_orders}|${caps.source.reserved_percent}`;
  let templates = byShape.get(key);
  if (!templates) {
    templates = holdUpdates({ ...STAND_IN, source: owner.source ? STAND_IN.source : null }, STAND_IN.held, 0, caps, split).map(({ query, rows }) => {
      const { sql: text, parameters } = query.compile(db);
      return { sql: text, parameters, rows };
    });
    byShape.set(key, templates);
  }
  const [, payee, source] = scopesOf(owner);
  const own = (p: unknown) => (p === STAND_IN.held ? heldUnits : p === STAND_IN.asset_id ? owner.asset_id : p === PAYEE_STAND_IN ? payee : p === SOURCE_STAND_IN ? source : p);
  return templates.map(({ sql: text, parameters, rows }) => ({ sql: text, parameters: parameters.map(own), rows }));
}

/** After a refused hold (rolled back): which scope refused it, 'lapsed' when lapsed holds may be to blame, or 'missing' when a row did not exist (or did not yet for that update). */
export async function whyRefused(db: Kysely<Database>, owner: HoldOwner, heldUnits: string, now: number, caps: HoldCaps): Promise<HoldRefusedError['scope'] | 'missing' | 'lapsed'> {
  const scopes = scopesOf(owner);
  const rows = await sql<{ scope: string; ok: number | boolean | null }>`select scope, ${holdCondition(owner, heldUnits, now, caps)} as ok
    from broker_reservations where asset_id = ${owner.asset_id} and scope in (${sql.join(scopes)})`.execute(db);
  const ok = new Map(rows.rows.map((r) => [r.scope, r.ok === true || Number(r.ok) === 1]));
  if (ok.get(BOT) === false) {
    const held = await sql<{ n: number }>`select count(*) as n from broker_orders where asset_id = ${owner.asset_id} and hold_expires_at <= ${now}`.execute(db);
    return Number(held.rows[0]?.n ?? 0) > 0 ? 'lapsed' : 'balance';
  }
  if (rows.rows.length < scopes.length) return 'missing';
  if (ok.get(scopes[1]!) === false) return 'payee';
  if (ok.get(scopes[2] ?? '') === false) return 'source';
  // Every row exists and would take the hold now: one was created after the update's snapshot
  // (a concurrent first order of the same payee), so the caller tries again.
  return 'missing';
}

/** Creates the reservation rows of an owner's scopes that do not exist yet. */
export async function ensureScopeRows(db: Kysely<Database>, owner: HoldOwner): Promise<void> {
  await sql`insert into broker_reservations (scope, asset_id, reserved_units, open_orders) values ${sql.join(scopesOf(owner).map((s) => sql`(${s}, ${owner.asset_id}, 0, 0)`))} on conflict do nothing`.execute(db);
}

/** Adds `delta` units and `count` orders to every scope of the owner, with no check. */
async function adjust(trx: Kysely<Database>, owner: HoldOwner, delta: bigint, count: number): Promise<void> {
  const scopes = scopesOf(owner);
  await sql`insert into broker_reservations (scope, asset_id, reserved_units, open_orders) values ${sql.join(scopes.map((s) => sql`(${s}, ${owner.asset_id}, 0, 0)`))} on conflict do nothing`.execute(trx);
  for (const scope of scopes) {
    await sql`update broker_reservations set reserved_units = reserved_units + ${units(delta.toString())}, open_orders = open_orders + ${count}
      where scope = ${scope} and asset_id = ${owner.asset_id}`.execute(trx);
  }
}

/**
 * Releases an order's hold, if it still has one (the condition on `held_units` makes a release
 * happen once, whoever races for it); true when this call released it.
 */
export async function releaseHold(trx: Kysely<Database>, traceId: string, onlyLapsedAt?: number): Promise<boolean> {
  let query = trx.updateTable('broker_orders').set({ held_units: 0, hold_expires_at: null }).where('trace_id', '=', traceId).where('held_units', '>', 0);
  if (onlyLapsedAt !== undefined) query = query.where('hold_expires_at', '<=', onlyLapsedAt);
  // RETURNING gives the row after the update (held_units is 0 by then); a hold is always the amount's units.
  const released = await query.returning(['asset_id', 'payee_id', 'source', 'amount']).executeTakeFirst();
  if (!released) return false;
  await adjust(trx, released, -BigInt(toUnits(released.amount)), -1);
  return true;
}

/**
 * A paid order keeps its hold until the transfer, whenever that is: its lapse time is cleared,
 * or, if the hold already lapsed and was released, it is taken again without a check (the
 * customer has paid; an over-commitment shows up as a failing transfer and its alert).
 */
export async function keepHold(trx: Kysely<Database>, order: HoldOwner & { trace_id: string; amount: string }, heldUnits: string, expiresAt: number | null): Promise<void> {
  const kept = await trx.updateTable('broker_orders').set({ hold_expires_at: expiresAt }).where('trace_id', '=', order.trace_id).where('held_units', '>', 0).executeTakeFirst();
  if (Number(kept.numUpdatedRows) === 1) return;
  await trx.updateTable('broker_orders').set({ held_units: heldUnits, hold_expires_at: expiresAt }).where('trace_id', '=', order.trace_id).execute();
  await adjust(trx, order, BigInt(heldUnits), 1);
}

/** Releases lapsed holds, of one asset or all; returns how many. Each release is its own transaction. */
export async function releaseLapsedHolds(db: Kysely<Database>, now: number, assetId?: string, max = 500): Promise<number> {
  let query = db.selectFrom('broker_orders').select('trace_id').where('hold_expires_at', '<=', now);
  if (assetId) query = query.where('asset_id', '=', assetId);
  let released = 0;
  for (const { trace_id } of await query.limit(max).execute()) {
    if (await db.transaction().execute((trx) => releaseHold(trx, trace_id, now))) released += 1;
  }
  return released;
}

/** A transfer recorded: the money left the bot, so the synced balance on the bot's row is lower until the next sync. */
export async function spendBalance(trx: Kysely<Database>, assetId: string, heldUnits: string): Promise<void> {
  await sql`update broker_reservations set balance_units = balance_units - ${units(heldUnits)} where scope = ${BOT} and asset_id = ${assetId}`.execute(trx);
}

/** What the bot can still promise of `assetId`, as a decimal string; null when never synced. */
export async function availableToPromise(db: Kysely<Database>, assetId: string, now: number): Promise<string | null> {
  const row = await sql<{ available: string | null }>`select cast(balance_units - reserved_units + ${lapsed(assetId, now)} as text) as available from broker_reservations
    where scope = ${BOT} and asset_id = ${assetId} and exists (select 1 from broker_balances where asset_id = ${assetId})`.execute(db);
  const available = row.rows[0]?.available;
  return available === null || available === undefined ? null : fromUnits(available);
}

/**
 * Writes a synced balance: Mixin's answer less the transfers recorded since the sync began (the
 * answer may predate them), and the maintained sums recomputed from the orders' own holds, which
 * repairs any drift (an order row deleted by hand). It locks the bot's row before it sums, so a
 * hold committed meanwhile is either in the sum or applied after it.
 */
export async function writeSyncedBalance(db: Kysely<Database>, dialect: Dialect, asset: { asset_id: string; symbol: string; balance: string; units: string }, syncedAt: number): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`insert into broker_reservations (scope, asset_id, reserved_units, open_orders) values (${BOT}, ${asset.asset_id}, 0, 0) on conflict do nothing`.execute(trx);
    await lockBot(trx, dialect, asset.asset_id);
    const settled = await trx
      .selectFrom('broker_orders')
      .select(['amount'])
      .where('asset_id', '=', asset.asset_id)
      .where('status', 'in', ['SETTLED', 'MIXPAY_REFUNDED', 'REFUNDED'])
      .where('settled_at', '>=', syncedAt)
      .execute();
    let left = BigInt(asset.units);
    for (const order of settled) left -= BigInt(toUnits(order.amount));
    await sql`update broker_reservations set balance_units = ${units(left.toString())} where scope = ${BOT} and asset_id = ${asset.asset_id}`.execute(trx);
    const values = { symbol: asset.symbol, balance: asset.balance, synced_at: syncedAt };
    await trx
      .insertInto('broker_balances')
      .values({ asset_id: asset.asset_id, ...values })
      .onConflict((oc) => oc.column('asset_id').doUpdateSet(values))
      .execute();
    const holds = await sql<{ payee_id: string; source: string | null; units: string; n: number | string }>`select payee_id, source, cast(sum(held_units) as text) as units, count(*) as n
      from broker_orders where asset_id = ${asset.asset_id} and held_units > 0 group by payee_id, source`.execute(trx);
    const totals = new Map<string, { units: bigint; n: number }>([[BOT, { units: 0n, n: 0 }]]);
    for (const row of holds.rows) {
      for (const scope of scopesOf({ asset_id: asset.asset_id, payee_id: row.payee_id, source: row.source })) {
        const total = totals.get(scope) ?? { units: 0n, n: 0 };
        totals.set(scope, { units: total.units + BigInt(row.units), n: total.n + Number(row.n) });
      }
    }
    await sql`update broker_reservations set reserved_units = 0, open_orders = 0 where asset_id = ${asset.asset_id} and scope <> ${BOT}`.execute(trx);
    for (const [scope, total] of totals) {
      await sql`insert into broker_reservations (scope, asset_id, reserved_units, open_orders) values (${scope}, ${asset.asset_id}, ${units(total.units.toString())}, ${total.n})
        on conflict (scope, asset_id) do update set reserved_units = excluded.reserved_units, open_orders = excluded.open_orders`.execute(trx);
    }
  });
}
