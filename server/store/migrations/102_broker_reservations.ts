import type { Kysely } from 'kysely';
import { toUnits } from '../../core/amounts.ts';

/**
 * The broker's reservations as maintained values (issue 12 §4): what open orders hold of the
 * bot's balance, per asset and scope (`bot`, `payee:<uuid>`, `source:<address>`), changed in the
 * same transaction as every order insert and every status change that takes or releases a hold,
 * so create_order checks one row instead of summing every open order.
 *
 * Amounts here are integer 10^-8 units in `bigint` columns: Mixin amounts have at most 8 places,
 * so the units are exact, and an integer comparison in SQL is exact on both backends (SQLite has
 * no decimal type: its `numeric` is a float, and comparing decimal text would compare strings).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('broker_reservations')
    .addColumn('scope', 'varchar(120)', (c) => c.notNull())
    .addColumn('asset_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('reserved_units', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('open_orders', 'integer', (c) => c.notNull().defaultTo(0))
    // The bot's row only: the synced balance, on the row every order checks, so the check needs
    // no other table and PostgreSQL re-checks it against the row's latest version.
    .addColumn('balance_units', 'bigint')
    .addPrimaryKeyConstraint('broker_reservations_pk', ['scope', 'asset_id'])
    .execute();
  await db.schema.alterTable('broker_orders').addColumn('held_units', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('broker_orders').addColumn('hold_expires_at', 'bigint').execute();
  await db.schema.alterTable('broker_orders').addColumn('source', 'varchar(64)').execute();
  // The per-request query for holds that lapsed but were not yet released.
  await db.schema.createIndex('broker_orders_hold_expiry_idx').on('broker_orders').columns(['asset_id', 'hold_expires_at']).execute();

  // Rows written before: the holds the old sum counted (open and unexpired, or paid).
  const now = Date.now();
  const holding = await db
    .selectFrom('broker_orders')
    .select(['trace_id', 'asset_id', 'payee_id', 'amount', 'status', 'expired_at'])
    .where('status', 'in', ['CREATING', 'NEW', 'PAID'])
    .execute();
  const totals = new Map<string, { units: bigint; open: number }>();
  for (const order of holding) {
    if (order.status !== 'PAID' && Number(order.expired_at) <= now) continue;
    const units = toUnits(order.amount);
    await db
      .updateTable('broker_orders')
      .set({ held_units: units, hold_expires_at: order.status === 'PAID' ? null : Number(order.expired_at) })
      .where('trace_id', '=', order.trace_id)
      .execute();
    for (const scope of ['bot', `payee:${order.payee_id}`]) {
      const key = `${scope}\u0001${order.asset_id}`;
      const total = totals.get(key) ?? { units: 0n, open: 0 };
      totals.set(key, { units: total.units + BigInt(units), open: total.open + 1 });
    }
  }
  for (const [key, total] of totals) {
    const [scope, asset_id] = key.split('\u0001');
    await db.insertInto('broker_reservations').values({ scope, asset_id, reserved_units: total.units.toString(), open_orders: total.open }).execute();
  }
  for (const balance of await db.selectFrom('broker_balances').select(['asset_id', 'balance']).execute()) {
    const exists = await db.selectFrom('broker_reservations').select('scope').where('scope', '=', 'bot').where('asset_id', '=', balance.asset_id).executeTakeFirst();
    if (!exists) await db.insertInto('broker_reservations').values({ scope: 'bot', asset_id: balance.asset_id, reserved_units: 0, open_orders: 0 }).execute();
    await db.updateTable('broker_reservations').set({ balance_units: toUnits(balance.balance) }).where('scope', '=', 'bot').where('asset_id', '=', balance.asset_id).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('broker_orders_hold_expiry_idx').execute();
  for (const column of ['source', 'hold_expires_at', 'held_units']) await db.schema.alterTable('broker_orders').dropColumn(column).execute();
  await db.schema.dropTable('broker_reservations').execute();
}
