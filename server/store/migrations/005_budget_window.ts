import type { Kysely } from 'kysely';
import { canonicalUuid } from '../../core/ids.ts';

/**
 * The MixPay budget and payment verification (issues 12 §6 and 13 §3):
 * - every stored payment traceId in the one id spelling (core/ids.ts), so "one payment never pays
 *   two orders" compares like with like; traces stored before were kept as MixPay wrote them;
 * - `orders.underpaid`: a success that paid less than was payable (issue 13 §13), for the operator;
 * - the MixPay budget as a sliding window (mixpay/call-budget.ts): one row per call slot holding
 *   the time of its last call, and the time of the last failure on the budget row, so that calls
 *   failing together count as one incident. The token columns of 002 are no longer read;
 * - `callback_checks`: when a callback from an unknown source last made an order cost a MixPay
 *   call (mixpay/callback-limits.ts), so every process enforces one such check per interval.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_budget_slots')
    .addColumn('name', 'varchar(40)', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('used_at', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('call_budget_slots_pk', ['name', 'slot'])
    .execute();
  await db.schema.alterTable('call_budgets').addColumn('failed_at', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('callback_checks')
    .addColumn('order_id', 'varchar(36)', (c) => c.primaryKey())
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('orders').addColumn('underpaid', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  const traced: Array<{ id: string; mixpay_trace_id: string }> = await db.selectFrom('orders').select(['id', 'mixpay_trace_id']).where('mixpay_trace_id', 'is not', null).execute();
  for (const row of traced) {
    const canonical = canonicalUuid(row.mixpay_trace_id);
    if (canonical !== null && canonical !== row.mixpay_trace_id) {
      await db.updateTable('orders').set({ mixpay_trace_id: canonical }).where('id', '=', row.id).execute();
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('callback_checks').execute();
  await db.schema.alterTable('call_budgets').dropColumn('failed_at').execute();
  await db.schema.dropTable('call_budget_slots').execute();
  await db.schema.alterTable('orders').dropColumn('underpaid').execute();
  // The canonical spelling of a trace is the same id: nothing to undo.
}
