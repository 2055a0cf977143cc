/**
 * Seed 000's create_order after validation: reserving a trace_id against the bot's balance,
 * making the wallet order once, and answering a repeated request with the links it already has.
 * (The merchant half's counterpart is server/merchant/create-order.ts.)
 */
import type { Insertable } from 'kysely';
import { sameAmount, toUnits } from '../core/amounts.ts';
import { sameId } from '../core/ids.ts';
import type { BrokerOrdersTable } from '../store/schema.ts';
import type { BrokerDeps } from './deps.ts';
import { ParameterError, PaymentUnavailableError } from './api-errors.ts';
import { findOrder, takeOverCreation, transitionBrokerOrder, type BrokerOrder } from './order-store.ts';
import { availableToPromise, ensureScopeRows, HoldRefusedError, releaseLapsedHolds, whyRefused } from './reservations.ts';
import { insertHeldOrder } from './held-order.ts';
import { checkOpponent, checkReturnUrl } from './caller-checks.ts';
import { customerTotal, type CreateOrderRequest } from './api-schemas.ts';
import type { AssetConfig } from './config.ts';

type NewBrokerOrder = Insertable<BrokerOrdersTable> & BrokerOrderFields & { held_units: string; source: string | null };
type BrokerOrderFields = Pick<BrokerOrder, 'trace_id' | 'wallet' | 'asset_id' | 'amount' | 'pay_amount' | 'currency' | 'expired_at' | 'created_at'>;

export interface OrderLinks {
  checkout_url: string;
  deep_link: string;
  universal_url: string;
}

/** How long a concurrent duplicate waits for the first request's wallet order. */
const DUPLICATE_WAIT_MS = 5000;
/** A reservation older than this was left by a crashed request; a retry may take it over. */
const STALE_CREATING_MS = 60_000;

function linksOf(order: BrokerOrder): OrderLinks {
  return { checkout_url: order.checkout_url ?? '', deep_link: order.deep_link ?? '', universal_url: order.universal_url ?? '' };
}

/** The first field whose stored value differs from the repeated request, or null. */
export function differingField(order: BrokerOrder, request: CreateOrderRequest): string | null {
  if (!sameId(order.payee_id, request.payee_id)) return 'payee_id';
  if (order.wallet !== request.wallet) return 'wallet';
  if (!sameId(order.asset_id, request.asset_id)) return 'asset_id';
  if (!sameAmount(order.amount, request.amount)) return 'amount';
  if (order.memo !== request.memo) return 'memo';
  if (Number(order.expired_at) !== request.expired_at) return 'expired_at';
  if (order.return_url !== request.return_url) return 'return_url';
  if (!sameId(order.opponent_id, request.opponent_id)) return 'opponent_id';
  return null;
}

type Reservation = { kind: 'reserved' } | { kind: 'exists' } | { kind: 'short'; scope: HoldRefusedError['scope']; available: string | null };

/**
 * Inserts the CREATING row and takes its hold in one transaction: one conditional update of the
 * bot's reservation row (and the payee's and source's), never a sum over open orders
 * (reservations.ts). A refused hold rolls the insert back.
 */
async function reserve(deps: BrokerDeps, row: NewBrokerOrder): Promise<Reservation> {
  const { db } = deps.store;
  const caps = deps.config.mixpay.caps;
  for (let attempt = 0; ; attempt++) {
    try {
      return (await insertHeldOrder(deps.store, row, caps)) ? { kind: 'reserved' } : { kind: 'exists' };
    } catch (error) {
      if (!(error instanceof HoldRefusedError)) throw error;
      const scope = await whyRefused(db, row, row.held_units, row.created_at, caps);
      // A first-seen payee or source gets its rows; holds that lapsed are released; then once more.
      if (scope === 'missing' && attempt < 2) {
        await ensureScopeRows(db, row);
        continue;
      }
      if (scope === 'lapsed' && attempt < 2 && (await releaseLapsedHolds(db, row.created_at, row.asset_id)) > 0) continue;
      return { kind: 'short', scope: scope === 'missing' || scope === 'lapsed' ? 'balance' : scope, available: await availableToPromise(db, row.asset_id, row.created_at) };
    }
  }
}

/**
 * Seed 000's create_order after validation: idempotent on trace_id, 11002 when the bot's
 * balance (less open promises) is short, one wallet order per trace_id.
 */
export async function createBrokerOrder(deps: BrokerDeps, request: CreateOrderRequest, asset: AssetConfig, source: string | null = null): Promise<OrderLinks> {
  const { db } = deps.store;
  const started = deps.now();
  // Most requests are new orders: when MixPay's checks pass, the insert comes first and a taken
  // trace_id is read only then. A request that fails them may still be a repeat, whose answer is
  // the comparison with the stored order, so it is read first.
  const checked = passesCallerChecks(deps, request);
  let insertFirst = checked;
  for (;;) {
    const existing = insertFirst ? undefined : await findOrder(db, request.trace_id);
    insertFirst = false;
    if (existing) {
      const field = differingField(existing, request);
      if (field) throw new ParameterError('trace_id', `was already used with a different ${field}`);
      if (existing.checkout_url) return linksOf(existing);
      if (existing.status === 'FAILED') {
        // The wallet call failed: a retry is a move of the table, FAILED -> CREATING.
        const retry = await transitionBrokerOrder(db, request.trace_id, 'CREATING', 'create:retry', {}, deps.now());
        if (retry.changed) return openWalletOrder(deps, retry.order);
        continue;
      }
      if (existing.status === 'CREATING' && deps.now() - Number(existing.updated_at) > STALE_CREATING_MS) {
        // Its request died mid-creation: not a status change but a take-over of the reservation.
        if (await takeOverCreation(db, existing, deps.now())) return openWalletOrder(deps, { ...existing, version: Number(existing.version) + 1 });
        continue;
      }
      if (deps.now() - started > DUPLICATE_WAIT_MS) throw new PaymentUnavailableError('the same order is still being created');
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    // A new order only (a repeat was compared field by field above): MixPay's bot and hosts,
    // which throw here with their own message when they did not pass above.
    if (!checked) {
      checkOpponent(deps, request.opponent_id);
      checkReturnUrl(deps, request.return_url);
    }
    const now = deps.now();
    const { fee, total } = customerTotal(request.amount, asset.fee, asset.decimals);
    const row: NewBrokerOrder = {
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
      held_units: toUnits(request.amount),
      hold_expires_at: request.expired_at,
      source: source?.slice(0, 64) ?? null,
    };
    const reservation = await reserve(deps, row);
    if (reservation.kind === 'exists') continue;
    if (reservation.kind === 'short' && reservation.scope !== 'balance') {
      deps.log(`[broker] 11002 for ${request.trace_id}: the ${reservation.scope} cap is reached (payee ${request.payee_id}, source ${source ?? '?'})`);
      throw new PaymentUnavailableError(`the ${reservation.scope} cap on open orders or reserved amount is reached`);
    }
    if (reservation.kind === 'short') {
      void deps.alerts.alert({
        key: `unavailable:${request.asset_id}`,
        kind: 'payment_unavailable',
        message: `answered 11002: the bot cannot cover ${request.amount} of ${request.asset_id}`,
        details: { asset_id: request.asset_id, amount: request.amount, available: reservation.available, trace_id: request.trace_id },
      });
      throw new PaymentUnavailableError(reservation.available === null ? 'balance never synced' : `available ${reservation.available}`);
    }
    // The row as inserted (version 0), so the move to NEW need not read it back.
    return openWalletOrder(deps, { ...row, version: 0 } as BrokerOrder);
  }
}

function passesCallerChecks(deps: BrokerDeps, request: CreateOrderRequest): boolean {
  try {
    checkOpponent(deps, request.opponent_id);
    checkReturnUrl(deps, request.return_url);
    return true;
  } catch {
    return false;
  }
}

/** Makes the wallet order outside any transaction, then records it; `order` as last read or written. */
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
    await transitionBrokerOrder(deps.store.db, order.trace_id, 'NEW', 'create:opened', { upstream_id: made.upstreamId, ...links }, deps.now(), undefined, order);
    return links;
  } catch (error) {
    deps.log(`[broker] ${order.wallet} order for ${order.trace_id} failed: ${(error as Error).message}`);
    await transitionBrokerOrder(deps.store.db, order.trace_id, 'FAILED', 'create:failed', {}, deps.now(), { error: (error as Error).message.slice(0, 200) }, order);
    throw new PaymentUnavailableError(`wallet ${order.wallet}: ${(error as Error).message}`);
  }
}
