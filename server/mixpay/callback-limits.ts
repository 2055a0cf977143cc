/**
 * Who may make a callback spend the MixPay budget (issue 13 §4, §6). `/mixpay/callback` is public
 * and, with MIXPAY_CALLBACK_IPS unset, anyone who saw an order id can post it; each accepted
 * callback for an awaiting order costs one `/payments_result` call. Callbacks from a source that is
 * not MixPay's are therefore capped: per source address (in this process), per order (in the
 * database, shared by every process), and they never take the reserve the budget keeps for the
 * merchant's own calls. A throttled callback is answered non-SUCCESS, so MixPay's retry schedule
 * (and, behind it, the reconciler) still settles the order.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';

/** MixPay's published source address for callbacks (contracts §1). **Unconfirmed** that it is the only one. */
export const MIXPAY_CALLBACK_SOURCE = '52.198.117.57';

/** An order is checked at most once per this interval for callbacks from unknown sources (MixPay retries after 15 s). */
export const ORDER_CHECK_INTERVAL_MS = 10_000;

/** This host, and `unknown`: a request handed to the app in process, with no socket (core/caller.ts). */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'unknown']);

/**
 * Sources whose callbacks are MixPay's: the MIXPAY_CALLBACK_IPS list (when set, nobody else gets
 * this far), else MixPay's published address; with the sandbox mounted, also this host (the
 * sandbox plays MixPay from here). Being known only lifts the caps: every callback is still
 * checked against `/payments_result`.
 */
export function isKnownCallbackSource(address: string, config: { MIXPAY_CALLBACK_IPS: readonly string[]; MIXPAY_SANDBOX: boolean }): boolean {
  if (config.MIXPAY_CALLBACK_IPS.length > 0) return config.MIXPAY_CALLBACK_IPS.includes(address);
  if (address === MIXPAY_CALLBACK_SOURCE) return true;
  return config.MIXPAY_SANDBOX && LOOPBACK.has(address);
}

/** More distinct sources than this in one minute share one allowance: memory stays bounded. */
const MAX_SOURCES = 100_000;
const OVERFLOW = '(too many sources)';

/**
 * At most `perMinute` callback checks per source address in each clock minute. O(1) per request:
 * one map of the current minute, dropped whole when the minute turns.
 */
export class SourceCheckLimiter {
  private minute = -1;
  private counts = new Map<string, number>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** Counts one check for `source`: 0 when allowed, else the milliseconds until its next minute. */
  take(source: string): number {
    const at = this.now();
    const minute = Math.floor(at / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.counts = new Map();
    }
    const key = this.counts.has(source) || this.counts.size < MAX_SOURCES ? source : OVERFLOW;
    const used = this.counts.get(key) ?? 0;
    if (used >= this.perMinute) return (minute + 1) * 60_000 - at;
    this.counts.set(key, used + 1);
    return 0;
  }
}

/**
 * Claims the one callback-triggered check `orderId` may have per ORDER_CHECK_INTERVAL_MS: a single
 * conditional upsert, atomic across processes. Returns 0 when claimed, else the milliseconds to wait.
 */
export async function claimOrderCheck(db: Kysely<Database>, orderId: string, now: number): Promise<number> {
  const claimed = await db
    .insertInto('callback_checks')
    .values({ order_id: orderId, checked_at: now })
    .onConflict((oc) => oc.column('order_id').doUpdateSet({ checked_at: now }).where('callback_checks.checked_at', '<=', now - ORDER_CHECK_INTERVAL_MS))
    .executeTakeFirst();
  if (Number(claimed.numInsertedOrUpdatedRows ?? 0) > 0) return 0;
  const row = await db.selectFrom('callback_checks').select('checked_at').where('order_id', '=', orderId).executeTakeFirst();
  return Math.max(1, (row ? Number(row.checked_at) : now) + ORDER_CHECK_INTERVAL_MS - now);
}
