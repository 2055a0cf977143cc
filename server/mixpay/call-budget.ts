/**
 * One budget for every call this installation makes to MixPay, which allows 60 requests a minute
 * per caller (contracts §1). A sliding window kept in the database, so that every server process
 * and worker draws from the same one (issue 12 §6): at most `perMinute` calls in any 60 s, and a
 * burst may use the whole minute's allowance at once.
 *
 * The window is a ring of `perMinute` slots per budget, each holding the time of the call that
 * last used it. A call takes a slot whose last use left the window (60 s or more ago) with one
 * conditional UPDATE, atomic on SQLite and PostgreSQL alike: two processes racing for one slot
 * cannot both win, because the loser's WHERE no longer holds once the winner's write is in. So
 * no 60 s ever holds more than `perMinute` calls (two calls of one slot are 60 s apart), and the
 * wait for a slot is exact: the time until the oldest use leaves the window. Times come from each
 * process's clock; instances on one database should keep their clocks in sync (NTP). A lowered
 * limit ignores the slots above it at once, so for one minute the calls they held go uncounted.
 *
 * After a 1429 or an unavailable MixPay (5xx, timeout) the whole installation backs off: the
 * budget row's `blocked_until` moves forward. One incident counts once (issue 13 §4): a failure
 * of a call sent before the last recorded failure belongs to that same incident and changes
 * nothing, so twenty calls that hung together back off like one. The back-off is capped so that
 * service returns within 30 s of MixPay's recovery, and a success sent after the failure clears it.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { UpstreamRateLimitedError } from '../core/upstream-errors.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from './errors.ts';
import type { MixPayClient } from './client.ts';
import type { OneTimePaymentRequest, OneTimePaymentResult, PaymentResult, PaymentResultQuery } from './types.ts';

/** The window MixPay's limit is counted over (contracts §1: 60 requests a minute). */
export const WINDOW_MS = 60_000;

/** MixPay's published limit, the default of MIXPAY_RATE_LIMIT_PER_MINUTE. */
export const MIXPAY_CALLS_PER_MINUTE = 60;

/** The most a budget may allow a minute: one slot row each. */
export const MAX_CALLS_PER_MINUTE = 6_000;

/**
 * The longest back-off. Service is back within 30 s of MixPay's recovery: a call that hung until
 * its timeout (10 s, MixPayClient's default) plus this back-off, then the next call goes through.
 */
export const BACKOFF_CAP_MS = 20_000;

/** The calls every MixPay user of this server makes; a budgeted client and the raw client both offer them. */
export type MixPayApi = Pick<MixPayClient, 'createOneTimePayment' | 'getPaymentResult'> & {
  /**
   * Optional capability: the same client for a caller that must leave `calls` in a shared
   * budget. A client without a budget (the raw client, a test double) has nothing to reserve.
   */
  reserving?(calls: number): MixPayApi;
};

/** Our own budget is spent (or the installation is backing off): nothing was sent to MixPay. */
export class MixPayBudgetError extends UpstreamRateLimitedError {
  override name = 'MixPayBudgetError';
  constructor(readonly waitMs: number) {
    super('mixpay', `local MixPay budget exhausted; next call possible in ${Math.ceil(waitMs / 1000)} s`, waitMs);
  }
}

export type CallFailure = 'rate_limited' | 'unavailable';

/**
 * Back-off after the n-th consecutive incident: a 1429 waits a while for MixPay's window to move;
 * an outage is probed sooner. Both double and stop at their cap (at most BACKOFF_CAP_MS).
 */
export function backoffAfter(kind: CallFailure, incidents: number): number {
  const n = Math.max(1, incidents);
  return kind === 'rate_limited' ? Math.min(10_000 * 2 ** (n - 1), BACKOFF_CAP_MS) : Math.min(2_000 * 2 ** (n - 1), 15_000);
}

/**
 * The configured limit: MIXPAY_RATE_LIMIT_PER_MINUTE, else its former name MIXPAY_CALLS_PER_MINUTE,
 * else MixPay's 60.
 */
export function budgetLimitOf(config: { MIXPAY_RATE_LIMIT_PER_MINUTE?: number; MIXPAY_CALLS_PER_MINUTE?: number }): number {
  return config.MIXPAY_RATE_LIMIT_PER_MINUTE ?? config.MIXPAY_CALLS_PER_MINUTE ?? MIXPAY_CALLS_PER_MINUTE;
}

export interface CallBudgetOptions {
  /** Calls allowed in any 60 s window. */
  perMinute: number;
  now: () => number;
  name?: string;
  /** How a caller waits for a slot; tests pass one that moves their clock. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BudgetState {
  /** Slots free now (their last call left the window). */
  available: number;
  blockedUntil: number;
  /** Consecutive incidents (not calls) behind the current back-off. */
  failures: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Losing a race for a slot to another process is retried at once, this many times. */
const RACE_RETRIES = 50;

export class CallBudget {
  readonly name: string;
  readonly perMinute: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private ensured: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: CallBudgetOptions,
  ) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1 || options.perMinute > MAX_CALLS_PER_MINUTE) {
      throw new RangeError(`CallBudget: perMinute must be a whole number from 1 to ${MAX_CALLS_PER_MINUTE} (MixPay allows 60), got ${options.perMinute}`);
    }
    this.name = options.name ?? 'mixpay';
    this.perMinute = options.perMinute;
    this.sleep = options.sleep ?? realSleep;
  }

  /** The budget's clock: callers stamp the time they sent a call with it. */
  now(): number {
    return this.options.now();
  }

  /** Creates the budget row and its slots once per process (idempotent across processes). */
  private ensureRows(): Promise<void> {
    this.ensured ??= (async () => {
      await this.db
        .insertInto('call_budgets')
        .values({ name: this.name, tokens: 0, updated_at: this.now(), blocked_until: 0, failures: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
      for (let from = 0; from < this.perMinute; from += 500) {
        const slots = Array.from({ length: Math.min(500, this.perMinute - from) }, (_, i) => ({ name: this.name, slot: from + i, used_at: 0 }));
        await this.db
          .insertInto('call_budget_slots')
          .values(slots)
          .onConflict((oc) => oc.columns(['name', 'slot']).doNothing())
          .execute();
      }
    })().catch((error: unknown) => {
      this.ensured = undefined;
      throw error;
    });
    return this.ensured;
  }

  private reserveOf(reserve: number): number {
    return Math.max(0, Math.min(Math.floor(reserve), this.perMinute - 1));
  }

  /**
   * Takes one call if the window holds it plus `reserve` more free slots (so background work and
   * the public checkout leave room for callbacks and the merchant's orders). Returns 0 on success,
   * else the milliseconds until this caller could take one. Two processes racing may undercut a
   * reserve by a call; the limit itself holds whatever the race.
   */
  async tryTake(reserve = 0): Promise<number> {
    await this.ensureRows();
    const keep = this.reserveOf(reserve);
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      const cutoff = now - WINDOW_MS;
      // Any free slot will do; starting the search at a random place keeps concurrent callers
      // from all reaching for the same one.
      const start = Math.floor(Math.random() * this.perMinute);
      const taken = await sql`
        update call_budget_slots
           set used_at = ${now}
         where name = ${this.name}
           and used_at <= ${cutoff}
           and slot = (
             select s.slot from call_budget_slots s
              where s.name = ${this.name} and s.slot < ${this.perMinute} and s.used_at <= ${cutoff}
              order by (s.slot + ${start}) % ${this.perMinute}
              limit 1 offset ${keep})
           and exists (select 1 from call_budgets b where b.name = ${this.name} and b.blocked_until <= ${now})`.execute(this.db);
      if (Number(taken.numAffectedRows ?? 0) === 1) return 0;
      const wait = await this.waitFor(keep, now);
      // A free slot was there: another process took it first. Look again.
      if (wait > 0 || attempt >= RACE_RETRIES) return Math.max(1, wait);
    }
  }

  /** Milliseconds until a caller keeping `keep` slots free could take one (0: now). */
  private async waitFor(keep: number, now: number): Promise<number> {
    const row = await this.db.selectFrom('call_budgets').select('blocked_until').where('name', '=', this.name).executeTakeFirstOrThrow();
    if (Number(row.blocked_until) > now) return Number(row.blocked_until) - now;
    // The (keep+1)-th oldest use: when it leaves the window, keep+1 slots are free.
    const oldest = await this.db
      .selectFrom('call_budget_slots')
      .select('used_at')
      .where('name', '=', this.name)
      .where('slot', '<', this.perMinute)
      .orderBy('used_at')
      .limit(1)
      .offset(keep)
      .executeTakeFirst();
    if (!oldest) return WINDOW_MS;
    return Math.max(0, Number(oldest.used_at) + WINDOW_MS - now);
  }

  /**
   * Takes one call, waiting up to `maxWaitMs` for a slot; throws MixPayBudgetError, carrying the
   * real wait, as soon as the slot is further away than the time left.
   */
  async take({ reserve = 0, maxWaitMs = 0 }: { reserve?: number; maxWaitMs?: number } = {}): Promise<void> {
    const deadline = this.now() + maxWaitMs;
    for (;;) {
      const wait = await this.tryTake(reserve);
      if (wait === 0) return;
      if (this.now() + wait > deadline) throw new MixPayBudgetError(wait);
      await this.sleep(wait);
    }
  }

  /**
   * Records a 1429 or an unavailable MixPay for a call sent at `sentAt`. A call sent before the
   * last recorded failure failed in that same incident: it changes nothing. Otherwise the incident
   * counts and the back-off moves forward. Returns the time the back-off ends.
   */
  async reportFailure(kind: CallFailure, sentAt: number = this.now()): Promise<number> {
    await this.ensureRows();
    for (;;) {
      const now = this.now();
      const row = await this.db.selectFrom('call_budgets').select(['failures', 'failed_at', 'blocked_until']).where('name', '=', this.name).executeTakeFirstOrThrow();
      const failures = Number(row.failures);
      const failedAt = Number(row.failed_at);
      const blockedUntil = Number(row.blocked_until);
      if (failures > 0 && sentAt <= failedAt) return blockedUntil;
      const until = Math.max(blockedUntil, now + backoffAfter(kind, failures + 1));
      // Compare-and-set: of two processes recording the same incident, one counts it.
      const updated = await this.db
        .updateTable('call_budgets')
        .set({ failures: failures + 1, failed_at: now, blocked_until: until })
        .where('name', '=', this.name)
        .where('failures', '=', failures)
        .where('failed_at', '=', failedAt)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) return until;
    }
  }

  /**
   * Clears the back-off after an answer from MixPay to a call sent at `sentAt`, unless a failure
   * was recorded after it was sent (written only when there is a back-off to clear).
   */
  async reportSuccess(sentAt: number = this.now()): Promise<void> {
    await this.db
      .updateTable('call_budgets')
      .set({ failures: 0, blocked_until: 0 })
      .where('name', '=', this.name)
      .where('failures', '>', 0)
      .where('failed_at', '<=', sentAt)
      .execute();
  }

  async state(): Promise<BudgetState> {
    await this.ensureRows();
    const row = await this.db.selectFrom('call_budgets').select(['blocked_until', 'failures']).where('name', '=', this.name).executeTakeFirstOrThrow();
    const free = await this.db
      .selectFrom('call_budget_slots')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('name', '=', this.name)
      .where('slot', '<', this.perMinute)
      .where('used_at', '<=', this.now() - WINDOW_MS)
      .executeTakeFirstOrThrow();
    return { available: Number(free.n), blockedUntil: Number(row.blocked_until), failures: Number(row.failures) };
  }
}

export interface SpendPolicy {
  /** Free slots this caller must leave to others. */
  reserve?: number;
  /** How long this caller may wait for a slot before MixPayBudgetError. */
  maxWaitMs?: number;
}

/**
 * A MixPay client that spends from the shared budget before every call and feeds 1429s and
 * outages back into it. Each user gets its own view: the reconciler keeps a reserve and never
 * waits; a callback or a merchant creating an order may wait a bounded time for a slot
 * (MIXPAY_BUDGET_WAIT_MS).
 */
export class BudgetedMixPay implements MixPayApi {
  constructor(
    private readonly client: MixPayApi,
    private readonly budget: CallBudget,
    private readonly policy: SpendPolicy = {},
  ) {}

  /**
   * The same client and budget for a caller that must leave `calls` in the window: the public
   * checkout, which anyone can call, never takes the last calls callbacks need.
   */
  reserving(calls: number): BudgetedMixPay {
    return new BudgetedMixPay(this.client, this.budget, { ...this.policy, reserve: Math.max(this.policy.reserve ?? 0, calls) });
  }

  /** The same client and budget for a caller that may wait at most `ms` for a slot. */
  waitingAtMost(ms: number): BudgetedMixPay {
    return new BudgetedMixPay(this.client, this.budget, { ...this.policy, maxWaitMs: Math.min(this.policy.maxWaitMs ?? 0, ms) });
  }

  createOneTimePayment(request: OneTimePaymentRequest): Promise<OneTimePaymentResult> {
    return this.spend(() => this.client.createOneTimePayment(request));
  }

  getPaymentResult(query: PaymentResultQuery, include?: Array<'payment' | 'transactions'>): Promise<PaymentResult> {
    return this.spend(() => this.client.getPaymentResult(query, include));
  }

  private async spend<T>(call: () => Promise<T>): Promise<T> {
    await this.budget.take(this.policy);
    const sentAt = this.budget.now();
    let value: T;
    try {
      value = await call();
    } catch (error) {
      if (error instanceof MixPayRateLimitError) await this.budget.reportFailure('rate_limited', sentAt);
      else if (error instanceof MixPayUnavailableError) await this.budget.reportFailure('unavailable', sentAt);
      else if (error instanceof MixPayApiError) await this.budget.reportSuccess(sentAt);
      throw error;
    }
    // MixPay answered: a lost database connection while noting that must not lose the answer
    // (a minted link the order would never hear of). The next call notes it instead.
    await this.budget.reportSuccess(sentAt).catch(() => {});
    return value;
  }
}
