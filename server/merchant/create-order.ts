/**
 * Creates an order and mints its MixPay one-time link. The order row is written first, so a
 * link MixPay minted always has an order behind it; if minting fails the order is kept as FAILED
 * with the reason, never left half-made.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import { z } from 'zod';
import type { OrdersTable } from '../store/schema.ts';
import type { MerchantDeps } from './deps.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from '../mixpay/errors.ts';
import { backoffAfter, MixPayBudgetError } from '../mixpay/call-budget.ts';
import { decimalString, sameAmount } from '../core/amounts.ts';
import { canonicalUuid } from '../core/ids.ts';
import { hasNul, storableText } from '../core/text.ts';
import { isConnectionLost } from '../store/db.ts';
import { MerchantApiError } from './api-errors.ts';
import { AWAITING_STATUSES } from './order-state.ts';
import { findOrder, patchOrder, transitionOrder, type Order } from './order-store.ts';
import { refuseOtherPrice, releaseLapsedClaims } from './open-order-claim.ts';
import { RESCHEDULE } from './reconcile-schedule.ts';

const httpUrl = storableText(2000)
  .pipe(z.string().url())
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL');

/** MugglePay's Create Order fields (seed 004). Unused ones (`pay_currency`, `mobile`, `fast`) are accepted and ignored. */
export const createOrderSchema = z.object({
  merchant_order_id: z
    .union([z.string(), z.number().int()])
    .transform((v) => String(v))
    .pipe(storableText(200).pipe(z.string().min(1)))
    .optional(),
  price_amount: decimalString,
  price_currency: storableText(200).trim().default('USD'),
  pay_currency: storableText(40).optional(),
  title: storableText(200).default(''),
  description: storableText(800).default(''),
  callback_url: httpUrl.optional(),
  success_url: httpUrl.optional(),
  cancel_url: httpUrl.optional(),
  token: storableText(200).optional(),
  mobile: z.union([z.boolean(), z.string(), z.number()]).optional(),
  fast: z.union([z.boolean(), z.string(), z.number()]).optional(),
});

/**
 * MugglePay clients commonly send fields they have no value for as `null` or `""` (form posts,
 * PHP arrays, SDKs that serialize every field). We read them as absent: `"callback_url": null` is
 * no callback, `"price_currency": null` is USD, `"price_amount": null` is still missing.
 */
export function withoutEmptyFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null && value !== ''));
}

export type CreateOrderInput = z.infer<typeof createOrderSchema> & { product_id?: string; return_to?: string };

/**
 * The `return_to` of a checkout (the page it started from, for the order page's "Back to the
 * shop"), or undefined. Kept only when it is an http(s) URL, without credentials, on an origin the
 * server names: one listed in `ALLOWED_ORIGINS`, or this server's own (`PUBLIC_URL`) when the list
 * is `*`, which names none. Anything else is ignored rather than refused: a page's own address
 * must never cost its customer the purchase. So an order page never links to a stranger's site.
 */
export function checkedReturnTo(value: unknown, config: { ALLOWED_ORIGINS: string; PUBLIC_URL: string }): string | undefined {
  if (typeof value !== 'string' || value.length > 2000 || hasNul(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return undefined;
  const listed = config.ALLOWED_ORIGINS.trim() === '*' ? [config.PUBLIC_URL] : config.ALLOWED_ORIGINS.split(',');
  const origins = listed.map((entry) => originOf(entry.trim())).filter(Boolean);
  if (!origins.includes(url.origin)) return undefined;
  url.hash = '';
  return url.href;
}

function originOf(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return '';
  }
}

/**
 * MixPay quotes in a lowercase fiat code (`usd`) or a Mixin asset UUID (contracts §1). MugglePay
 * merchants send `USD`, `CNY`, ...: three letters become the lowercase code.
 */
export function quoteAssetFor(priceCurrency: string): string {
  const value = priceCurrency.trim();
  if (/^[A-Za-z]{3}$/.test(value)) return value.toLowerCase();
  const asset = canonicalUuid(value);
  if (asset) return asset;
  throw new MerchantApiError(400, 'INVALID_PARAMETERS', 'price_currency: must be a fiat code such as USD or a Mixin asset UUID');
}

/** `remark` is limited to 50 characters by MixPay. */
function remarkFor(input: CreateOrderInput): string | undefined {
  const text = (input.title || input.merchant_order_id || '').trim();
  return text ? Array.from(text).slice(0, 50).join('') : undefined;
}

/**
 * A merchant that retries a timed-out create with the same `merchant_order_id` and price gets
 * the order it already has, not a second link.
 */
async function findRetriedOrder(deps: MerchantDeps, input: CreateOrderInput): Promise<Order | undefined> {
  if (!input.merchant_order_id) return undefined;
  const rows = await deps.store.db
    .selectFrom('orders')
    .selectAll()
    .where('merchant_order_id', '=', input.merchant_order_id)
    .where('status', '=', 'NEW')
    .where('expires_at', '>', deps.now())
    .orderBy('created_at', 'desc')
    .execute();
  return (rows as Order[]).find(
    (o) =>
      o.mixpay_code !== null &&
      sameAmount(o.price_amount, input.price_amount) &&
      o.price_currency === input.price_currency.toUpperCase() &&
      AWAITING_STATUSES.has(o.status),
  );
}

/** Runs an idempotent write again (three tries, 200 ms apart) when the database connection was lost under it. */
async function retryOnConnectionLoss<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3 || !isConnectionLost(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** The order's row as it is stored before MixPay mints its link. */
function newOrderRow(config: MerchantDeps['config'], input: CreateOrderInput, id: string, quoteAssetId: string, now: number): Insertable<OrdersTable> {
  const expiresAt = now + config.ORDER_EXPIRY_SECONDS * 1000;
  return {
    id,
    merchant_order_id: input.merchant_order_id ?? null,
    open_merchant_order_id: input.merchant_order_id ?? null,
    product_id: input.product_id ?? null,
    title: input.title,
    description: input.description,
    price_amount: input.price_amount,
    price_currency: input.price_currency.toUpperCase(),
    quote_asset_id: quoteAssetId,
    settlement_asset_id: config.MIXPAY_SETTLEMENT_ASSET_ID,
    payee_id: config.MIXPAY_PAYEE_ID,
    pay_amount: null,
    pay_currency: null,
    amount_due: null,
    status: 'NEW',
    failure_reason: null,
    callback_url: input.callback_url ?? null,
    success_url: input.success_url ?? null,
    return_to: input.return_to ?? null,
    cancel_url: input.cancel_url ?? null,
    merchant_token: input.token ?? null,
    // Our order id doubles as MixPay's orderId: 36 chars of [0-9a-f-] fits its 6-36 rule.
    mixpay_order_id: id,
    mixpay_code: null,
    mixpay_trace_id: null,
    checkout_url: null,
    universal_url: null,
    deep_link: null,
    expires_at: expiresAt,
    created_at: now,
    updated_at: now,
    // Due at once for scheduling only: the reconciler picks the first real check (no MixPay call).
    next_check_at: now,
    check_count: RESCHEDULE,
  };
}

/** Creates the order and mints its one-time link; a retry of a still-payable order answers that order. */
export async function createOrder(deps: MerchantDeps, input: CreateOrderInput, attempt = 0): Promise<{ order: Order; created: boolean }> {
  const { config, store, mixpay } = deps;
  const quoteAssetId = quoteAssetFor(input.price_currency);
  const retried = await findRetriedOrder(deps, input);
  if (retried) return { order: retried, created: false };
  // One open order per merchant_order_id (open-order-claim.ts): another price is a 409; a lapsed
  // claim is released so the insert below can take it.
  if (input.merchant_order_id) {
    await refuseOtherPrice(store.db, input, deps.now());
    await releaseLapsedClaims(store.db, input.merchant_order_id, deps.now());
  }

  const now = deps.now();
  const id = randomUUID();
  const expiresAt = now + config.ORDER_EXPIRY_SECONDS * 1000;
  const inserted = await store.db
    .insertInto('orders')
    .values(newOrderRow(config, input, id, quoteAssetId, now))
    .onConflict((oc) => oc.column('open_merchant_order_id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return awaitConcurrentCreate(deps, input, attempt);

  const returnBase = `${config.PUBLIC_URL}/v1/orders/${id}/return`;
  try {
    const { code } = await mixpay.createOneTimePayment({
      payeeId: config.MIXPAY_PAYEE_ID,
      orderId: id,
      quoteAmount: input.price_amount,
      quoteAssetId,
      settlementAssetId: config.MIXPAY_SETTLEMENT_ASSET_ID,
      remark: remarkFor(input),
      callbackUrl: `${config.PUBLIC_URL}/mixpay/callback`,
      callbackEvent: 'success|fail|pending|paid_less|settle',
      expiredTimestamp: Math.floor(expiresAt / 1000),
      returnTo: `${returnBase}?outcome=success`,
      failedReturnTo: `${returnBase}?outcome=failed`,
    });
    const checkoutUrl = `${config.MIXPAY_PAY_BASE.replace(/\/+$/, '')}/code/${encodeURIComponent(code)}`;
    // MixPay has minted the link: losing the database connection now must not leave the order
    // without it, so the same write is tried again on a fresh connection.
    await retryOnConnectionLoss(() =>
      patchOrder(
        store.db,
        id,
        {
          mixpay_code: code,
          checkout_url: checkoutUrl,
          // MixPay's pay page is one responsive web page; it picks the wallet itself. A MixPay deep
          // link into Mixin Messenger is not documented, so none is offered (contracts §6).
          universal_url: checkoutUrl,
          deep_link: '',
        },
        deps.now(),
      ),
    );
  } catch (error) {
    if (isConnectionLost(error)) {
      // The database went away while the link was being made: answer "try again" and keep no
      // order without a link behind (a retry with the same merchant_order_id starts afresh).
      await retryOnConnectionLoss(() => store.db.deleteFrom('orders').where('id', '=', id).where('mixpay_code', 'is', null).execute()).catch(() => {});
      throw error;
    }
    if (error instanceof MixPayBudgetError) {
      // Nothing reached MixPay, so no link exists: keep no order behind (a flood of refused
      // checkouts leaves no rows), and say when to try again.
      await retryOnConnectionLoss(() => store.db.deleteFrom('orders').where('id', '=', id).where('mixpay_code', 'is', null).execute());
      throw new MerchantApiError(429, 'RATE_LIMITED', 'this server is at its MixPay call budget; try again shortly', { 'retry-after': String(Math.max(1, Math.ceil(error.waitMs / 1000))) });
    }
    const reason = error instanceof Error ? error.message : String(error);
    // Customers see failure_reason; the technical cause stays in the order history for the operator.
    await retryOnConnectionLoss(() => transitionOrder(store.db, id, 'FAILED', 'link_not_created', { failure_reason: 'The payment link could not be created' }, { error: reason }, deps.now()));
    if (error instanceof MixPayRateLimitError) {
      // The installation now backs off for this long (call-budget.ts); later calls are refused with the exact time left.
      const retryAfter = Math.ceil(backoffAfter('rate_limited', 1) / 1000);
      throw new MerchantApiError(429, 'RATE_LIMITED', `MixPay is rate limiting this server; try again in ${retryAfter} s`, { 'retry-after': String(retryAfter) });
    }
    if (error instanceof MixPayUnavailableError) {
      throw new MerchantApiError(502, 'UPSTREAM_UNAVAILABLE', 'MixPay could not be reached; try again shortly');
    }
    if (error instanceof MixPayApiError) {
      throw new MerchantApiError(502, 'UPSTREAM_REJECTED', `MixPay refused the payment link: ${error.message}`);
    }
    throw error;
  }
  const order = await findOrder(store.db, id);
  if (!order) throw new Error(`order ${id} vanished after creation`);
  return { order, created: true };
}

/**
 * Another request holds the merchant_order_id's claim right now (a concurrent create with the
 * same id): wait for its link and answer that order, as a retry would get. If the holder failed
 * or went away, try again; another price is a 409 like any other.
 */
async function awaitConcurrentCreate(deps: MerchantDeps, input: CreateOrderInput, attempt: number): Promise<{ order: Order; created: boolean }> {
  const deadline = deps.now() + 10_000;
  while (deps.now() < deadline) {
    const retried = await findRetriedOrder(deps, input);
    if (retried) return { order: retried, created: false };
    await refuseOtherPrice(deps.store.db, input, deps.now());
    const holder = await deps.store.db.selectFrom('orders').select(['status', 'expires_at']).where('open_merchant_order_id', '=', input.merchant_order_id!).executeTakeFirst();
    if ((!holder || holder.status !== 'NEW' || holder.expires_at <= deps.now()) && attempt < 3) return createOrder(deps, input, attempt + 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new MerchantApiError(409, 'ORDER_CONFLICT', `merchant_order_id ${input.merchant_order_id} is being created by another request right now; retry in a few seconds`);
}
