/**
 * Broker mode at a glance for the admin page: the bot's balances against what open and paid
 * orders have reserved, orders open or settling, transfers to MixPay, refunds (matched, unmatched,
 * waiting for the operator), and what needs attention now. Read straight from the broker's tables.
 */
import Big from 'big.js';
import type { Kysely } from 'kysely';
import { availableBalance } from '../broker/order-store.ts';
import type { Database } from '../store/schema.ts';

/** A job retried this often is shown as needing attention. */
const FAILING_AFTER_ATTEMPTS = 3;

export async function brokerInUse(db: Kysely<Database>): Promise<boolean> {
  const [balance, order] = await Promise.all([
    db.selectFrom('broker_balances').select('asset_id').limit(1).executeTakeFirst(),
    db.selectFrom('broker_orders').select('trace_id').limit(1).executeTakeFirst(),
  ]);
  return balance !== undefined || order !== undefined;
}

export async function brokerOverview(db: Kysely<Database>, now: number) {
  const balanceRows = await db.selectFrom('broker_balances').selectAll().orderBy('symbol').execute();
  const balances = await Promise.all(
    balanceRows.map(async (row) => {
      const available = (await availableBalance(db, row.asset_id, now)) ?? row.balance;
      return { asset_id: row.asset_id, symbol: row.symbol, balance: row.balance, reserved: new Big(row.balance).minus(available).toFixed(), available, synced_at_t: Number(row.synced_at) };
    }),
  );
  const [statusCounts, openOrders, transfers, refundJobs, incoming] = await Promise.all([
    db.selectFrom('broker_orders').select((eb) => ['status', eb.fn.countAll<number>().as('count')]).groupBy('status').execute(),
    db.selectFrom('broker_orders').selectAll().where('status', 'in', ['CREATING', 'NEW', 'PAID', 'LATE_PAID', 'MIXPAY_REFUNDED']).orderBy('created_at', 'desc').limit(50).execute(),
    db.selectFrom('broker_jobs').selectAll().where('kind', '=', 'transfer').orderBy('updated_at', 'desc').limit(25).execute(),
    db.selectFrom('broker_jobs').selectAll().where('kind', '=', 'wallet_refund').orderBy('updated_at', 'desc').limit(25).execute(),
    db.selectFrom('broker_incoming').selectAll().orderBy('recorded_at', 'desc').limit(25).execute(),
  ]);
  const job = (j: (typeof transfers)[number]) => ({ id: j.id, trace_id: j.trace_id, status: j.status, attempts: Number(j.attempts), last_error: j.last_error, next_run_at_t: Number(j.next_run_at), updated_at_t: Number(j.updated_at) });
  const attention = [
    ...[...transfers, ...refundJobs].filter((j) => j.status === 'pending' && Number(j.attempts) >= FAILING_AFTER_ATTEMPTS).map((j) => `${j.kind} for order ${j.trace_id} failing after ${j.attempts} attempts: ${j.last_error ?? 'no error recorded'}`),
    ...incoming.filter((i) => i.outcome === 'unmatched').map((i) => `transfer ${i.snapshot_id} of ${i.amount} (${i.asset_id}) matches no order: ${i.note}`),
    ...balances.filter((b) => new Big(b.available).lt(0)).map((b) => `${b.symbol}: reserved ${b.reserved} is more than the balance ${b.balance}`),
  ];
  return {
    balances,
    orders_by_status: Object.fromEntries(statusCounts.map((r) => [r.status, Number(r.count)])),
    open_orders: openOrders.map((o) => ({ trace_id: o.trace_id, wallet: o.wallet, status: o.status, amount: o.amount, asset_id: o.asset_id, expired_at_t: Number(o.expired_at), created_at_t: Number(o.created_at) })),
    transfers: transfers.map(job),
    refunds: {
      jobs: refundJobs.map(job),
      incoming: incoming.map((i) => ({ snapshot_id: i.snapshot_id, outcome: i.outcome, matched: i.order_trace_id !== null, order_trace_id: i.order_trace_id, amount: i.amount, asset_id: i.asset_id, note: i.note, recorded_at_t: Number(i.recorded_at) })),
    },
    attention,
  };
}
