import type { Kysely } from 'kysely';
import { canonicalUuid } from '../../core/ids.ts';

/**
 * The MixPay budget and payment verification (issues 12 §6 and 13 §3):
 * - every stored payment traceId in the one id spelling (core/ids.ts), so "one payment never pays
 *   two orders" compares like with like; traces stored before were kept as MixPay wrote them;
 * - `orders.underpaid`: a success that paid less than was payable (issue 13 §13), for the operator.
 */
export async function up(db: Kysely<any>): Promise<void> {
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
  await db.schema.alterTable('orders').dropColumn('underpaid').execute();
  // The canonical spelling of a trace is the same id: nothing to undo.
}
