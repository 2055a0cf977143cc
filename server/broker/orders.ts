/**
 * Broker orders in the store: reserving a trace_id against the bot's balance, making the wallet
 * order once, and answering a repeated request with the links it already has.
 */
import Big from 'big.js';
import { sql, type Kysely, type Transaction } from 'kysely';
import { sameAmount } from '../core/amounts.ts';
import type { Database, BrokerOrdersTable, BrokerOrderStatus } from '../store/schema.ts';
import type { BrokerDeps } from './deps.ts';
import { ParameterError, PaymentUnavailableError } from './errors.ts';
import { holdsBalance } from './order-state.ts';
import { customerTotal, type CreateOrderRequest } from './validation.ts';
import type { AssetConfig } from './config.ts';

export type BrokerOrder = BrokerOrdersTable;

export interface OrderLinks {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

/** How long a concurrent duplicate waits for the first request's wallet order. */
const DUPLICATE_WAIT_MS = 5000;
/** A reservation older than this was left by a crashed request; a retry may take it over. */
const STALE_CREATING_MS = 60_000;

export async function findOrder(db: Kysely<Database>, traceId: string): Promise<BrokerOrder | undefined> {
  return db.selectFrom('broker_orders').selectAll().where('trace_id', '=', traceId).executeTakeFirst();
}

function linksOf(order: BrokerOrder): OrderLinks {
  return { checkout_url: order.checkout_url ?? '', deep_link: order.deep_link ?? '', universal_url: order.universal_url ?? '' };
}

/** The first field whose stored value differs from the repeated request, or null. */
export function differingField(order: BrokerOrder, request: CreateOrderRequest): string | null {
  if (order.payee_id !== request.payee_id) return 'payee_id';
  if (order.wallet !== request.wallet) return 'wallet';
  if (order.asset_id !== request.asset_id) return 'asset_id';
  if (!sameAmount(order.amount, request.amount)) return 'amount';
  if (order.memo !== request.memo) return 'memo';
  if (Number(order.expired_at) !== request.expired_at) return 'expired_at';
  if (order.return_url !== request.return_url) return 'return_url';
  if (order.opponent_id !== request.opponent_id) return 'opponent_id';
  return null;
}

/** The synced balance minus what open orders have promised, or null when never synced. */
export async function availableBalance(db: Kysely<Database>, assetId: string, now: number): Promise<string | null> {
  const row = await db.selectFrom('broker_balances').select(['balance', 'synced_at']).where('asset_id', '=', assetId).executeTakeFirst();
  if (!row) return null;
  return (await promisedAmount(db, assetId, now, row)).toFixed();
}

/**
 * What is left of a synced balance after every promise: orders that may still be paid, orders
 * paid and not yet transferred, and orders transferred since the sync began (the synced number
 * still contains their money until the next sync).
 */
async function promisedAmount(db: Kysely<Database>, assetId: string, now: number, synced: { balance: string; synced_at: number | string }): Promise<Big> {
  const open = await db
    .selectFrom('broker_orders')
    .select(['amount', 'status', 'expired_at', 'settled_at'])
    .where('asset_id', '=', assetId)
    .where((eb) => eb.or([eb('status', 'in', ['CREATING', 'OPEN', 'PAID']), eb.and([eb('status', '=', 'SETTLED'), eb('settled_at', '>=', Number(synced.synced_at))])]))
    .execute();
  let left = new Big(synced.balance);
  for (const order of open) {
    const settledSinceSync = order.status === 'SETTLED';
    if (settledSinceSync || holdsBalance(order.status, Number(order.expired_at), now)) left = left.minus(new Big(order.amount));
  }
  return left;
}

type Reservation = { kind: 'reserved' } | { kind: 'exists' } | { kind: 'short'; available: string | null };

/**
 * Inserts the CREATING row if the balance covers it. The balance row is locked (PostgreSQL) or
 * the whole write is serialized (SQLite), so two orders cannot both spend the same balance.
 */
async function reserve(deps: BrokerDeps, row: BrokerOrder): Promise<Reservation> {
  const { db, dialect } = deps.store;
  return db.transaction().execute(async (trx: Transaction<Database>) => {
    if (dialect === 'postgres') {
      await sql`select 1 from broker_balances where asset_id = ${row.asset_id} for update`.execute(trx);
    }
    const existing = await trx.selectFrom('broker_orders').select('trace_id').where('trace_id', '=', row.trace_id).executeTakeFirst();
    if (existing) return { kind: 'exists' } as const;
    const balance = await trx.selectFrom('broker_balances').select(['balance', 'synced_at']).where('asset_id', '=', row.asset_id).executeTakeFirst();
    if (!balance) return { kind: 'short', available: null } as const;
    const available = await promisedAmount(trx, row.asset_id, row.created_at, balance);
    if (available.lt(new Big(row.amount))) return { kind: 'short', available: available.toFixed() } as const;
    const inserted = await trx
      .insertInto('broker_orders')
      .values(row)
      .onConflict((oc) => oc.column('trace_id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? ({ kind: 'reserved' } as const) : ({ kind: 'exists' } as const);
  });
}

/** Moves an order from one status to another only if nobody moved it first; true when it moved. */
export async function moveOrder(
  db: Kysely<Database> | Transaction<Database>,
  traceId: string,
  from: BrokerOrderStatus | BrokerOrderStatus[],
  changes: Partial<BrokerOrder> & { status: BrokerOrderStatus },
  now: number,
): Promise<boolean> {
  const result = await db
    .updateTable('broker_orders')
    .set({ ...changes, updated_at: now })
    .where('trace_id', '=', traceId)
    .where('status', 'in', Array.isArray(from) ? from : [from])
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Seed 000's create_order after validation: idempotent on trace_id, 11002 when the bot's
 * balance (less open promises) is short, one wallet order per trace_id.
 */
export async function createBrokerOrder(deps: BrokerDeps, request: CreateOrderRequest, asset: AssetConfig): Promise<OrderLinks> {
  const { db } = deps.store;
  const started = deps.now();
  for (;;) {
    const existing = await findOrder(db, request.trace_id);
    if (existing) {
      const field = differingField(existing, request);
      if (field) throw new ParameterError('trace_id', `was already used with a different ${field}`);
      if (existing.checkout_url) return linksOf(existing);
      const stale = existing.status === 'CREATING' && deps.now() - Number(existing.updated_at) > STALE_CREATING_MS;
      if (existing.status === 'FAILED' || stale) {
        // Take the order over (the wallet call failed or its request died) and try the wallet again.
        const took = await moveOrder(db, request.trace_id, existing.status, { status: 'CREATING' }, deps.now());
        if (took) return openWalletOrder(deps, { ...existing, status: 'CREATING' });
        continue;
      }
      if (deps.now() - started > DUPLICATE_WAIT_MS) throw new PaymentUnavailableError('the same order is still being created');
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    const now = deps.now();
    const { fee, total } = customerTotal(request.amount, asset.fee, asset.decimals);
    const row: BrokerOrder = {
      ...request,
      fee_amount: fee,
      pay_amount: total,
      currency: asset.currency,
      status: 'CREATING',
      upstream_id: null,
      checkout_url: null,
      deep_link: null,
      universal_url: null,
      paid_at: null,
      settled_at: null,
      settlement_snapshot_id: null,
      refund_code: null,
      refund_reason: null,
      refunded_at: null,
      created_at: now,
      updated_at: now,
    };
    const reservation = await reserve(deps, row);
    if (reservation.kind === 'exists') continue;
    if (reservation.kind === 'short') {
      void deps.alerts.alert({
        key: `unavailable:${request.asset_id}`,
        kind: 'payment_unavailable',
        message: `answered 11002: the bot cannot cover ${request.amount} of ${request.asset_id}`,
        details: { asset_id: request.asset_id, amount: request.amount, available: reservation.available, trace_id: request.trace_id },
      });
      throw new PaymentUnavailableError(reservation.available === null ? 'balance never synced' : `available ${reservation.available}`);
    }
    return openWalletOrder(deps, row);
  }
}

async function openWalletOrder(deps: BrokerDeps, order: BrokerOrder): Promise<OrderLinks> {
  const wallet = deps.wallets[order.wallet];
  if (!wallet) throw new PaymentUnavailableError(`wallet ${order.wallet} is not configured`);
  try {
    const made = await wallet.createOrder({
      traceId: order.trace_id,
      amount: order.pay_amount,
      currency: order.currency,
      title: 'MixPay payment',
      returnUrl: `${deps.publicUrl}/mixpay/return/${order.trace_id}`,
      webhookUrl: `${deps.publicUrl}/mixpay/webhooks/${order.wallet}`,
      expiresAt: Number(order.expired_at),
    });
    const links = { checkout_url: made.checkoutUrl, deep_link: made.deepLink, universal_url: made.universalUrl };
    await moveOrder(deps.store.db, order.trace_id, 'CREATING', { status: 'OPEN', upstream_id: made.upstreamId, ...links }, deps.now());
    return links;
  } catch (error) {
    deps.log(`[broker] ${order.wallet} order for ${order.trace_id} failed: ${(error as Error).message}`);
    await moveOrder(deps.store.db, order.trace_id, 'CREATING', { status: 'FAILED' }, deps.now());
    throw new PaymentUnavailableError(`wallet ${order.wallet}: ${(error as Error).message}`);
  }
}
