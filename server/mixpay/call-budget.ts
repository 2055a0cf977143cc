/**
 * One budget for every call this installation makes to MixPay, which allows 60 requests a minute
 * per caller (contracts §1). A token bucket kept in the database, so that every server process
 * and worker draws from the same one; each take is a single conditional UPDATE, atomic on SQLite
 * and PostgreSQL alike.
 *
 * Units: one call costs 60 000 units and the bucket gains `perMinute` units a millisecond, so the
 * arithmetic stays in exact integers. Capacity is `59 - perMinute` calls: any 60-second window then
 * sees at most capacity + perMinute = 59 calls, below MixPay's 60.
 *
 * After a 1429 or an unavailable MixPay (5xx, timeout) the whole installation backs off: the row's
 * `blocked_until` moves forward, doubling with consecutive failures, and is cleared by a success.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { UpstreamRateLimitedError } from '../core/upstream-errors.ts';
import { MIXPAY_RATE_LIMIT_CODE, MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from './errors.ts';
import type { MixPayClient } from './client.ts';
import type { OneTimePaymentRequest, OneTimePaymentResult, PaymentResult, PaymentResultQuery } from './types.ts';

const UNIT = 60_000;

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

/** Back-off after consecutive failures: 1429 waits out MixPay's minute; an outage is probed sooner. */
export function backoffAfter(kind: CallFailure, failures: number): number {
  const n = Math.max(1, failures);
  return kind === 'rate_limited' ? Math.min(30_000 * 2 ** (n - 1), 10 * 60_000) : Math.min(5_000 * 2 ** (n - 1), 5 * 60_000);
}

export interface CallBudgetOptions {
  perMinute: number;
  now: () => number;
  name?: string;
}

export class CallBudget {
  readonly name: string;
  readonly perMinute: number;
  readonly capacity: number;
  private ensured = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: CallBudgetOptions,
  ) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 1 || options.perMinute > 58) {
      throw new RangeError(`CallBudget: perMinute must be 1..58 to stay below MixPay's 60 a minute, got ${options.perMinute}`);
    }
    this.name = options.name ?? 'mixpay';
    this.perMinute = options.perMinute;
    this.capacity = 59 - options.perMinute;
  }

  private async ensureRow(): Promise<void> {
    if (this.ensured) return;
    await this.db
      .insertInto('call_budgets')
      .values({ name: this.name, tokens: this.capacity * UNIT, updated_at: this.options.now(), blocked_until: 0, failures: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    this.ensured = true;
  }

  /**
   * Takes one call if the bucket holds it plus `reserve` more (so background work leaves room for
   * callbacks and new links). Returns 0 on success, else the milliseconds to wait.
   */
  async tryTake(reserve = 0): Promise<number> {
    await this.ensureRow();
    const now = this.options.now();
    const need = UNIT * (1 + Math.max(0, Math.min(reserve, this.capacity - 1)));
    const cap = this.capacity * UNIT;
    const elapsed = sql`(case when ${now} > updated_at then ${now} - updated_at else 0 end)`;
    const refilled = sql`(case when tokens + ${elapsed} * ${sql.lit(this.perMinute)} > ${sql.lit(cap)} then ${sql.lit(cap)} else tokens + ${elapsed} * ${sql.lit(this.perMinute)} end)`;
    const result = await sql`
      update call_budgets
         set tokens = ${refilled} - ${sql.lit(UNIT)},
             updated_at = case when ${now} > updated_at then ${now} else updated_at end
       where name = ${this.name} and blocked_until <= ${now} and ${refilled} >= ${sql.lit(need)}`.execute(this.db);
    if (Number(result.numAffectedRows ?? 0) === 1) return 0;
    const row = await this.db.selectFrom('call_budgets').selectAll().where('name', '=', this.name).executeTakeFirstOrThrow();
    if (Number(row.blocked_until) > now) return Number(row.blocked_until) - now;
    const have = Math.min(cap, Number(row.tokens) + Math.max(0, now - Number(row.updated_at)) * this.perMinute);
    return Math.max(1, Math.ceil((need - have) / this.perMinute));
  }

  /** Takes one call, waiting up to `maxWaitMs`; throws MixPayBudgetError when that is not enough. */
  async take({ reserve = 0, maxWaitMs = 0 }: { reserve?: number; maxWaitMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const wait = await this.tryTake(reserve);
      if (wait === 0) return;
      if (Date.now() + wait > deadline) throw new MixPayBudgetError(wait);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Moves the shared back-off forward after a 1429 or an unavailable MixPay. */
  async reportFailure(kind: CallFailure): Promise<number> {
    await this.ensureRow();
    const now = this.options.now();
    const row = await this.db.selectFrom('call_budgets').select('failures').where('name', '=', this.name).executeTakeFirstOrThrow();
    const failures = Number(row.failures) + 1;
    const until = now + backoffAfter(kind, failures);
    await this.db
      .updateTable('call_budgets')
      .set((eb) => ({
        failures: eb('failures', '+', 1),
        blocked_until: sql<number>`case when blocked_until > ${until} then blocked_until else ${until} end`,
      }))
      .where('name', '=', this.name)
      .execute();
    return until;
  }

  /** Clears the back-off after an answer from MixPay (written only when there was one to clear). */
  async reportSuccess(): Promise<void> {
    await this.db.updateTable('call_budgets').set({ failures: 0, blocked_until: 0 }).where('name', '=', this.name).where('failures', '>', 0).execute();
  }

  async state(): Promise<{ tokens: number; blockedUntil: number; failures: number }> {
    await this.ensureRow();
    const row = await this.db.selectFrom('call_budgets').selectAll().where('name', '=', this.name).executeTakeFirstOrThrow();
    const now = this.options.now();
    const tokens = Math.min(this.capacity * UNIT, Number(row.tokens) + Math.max(0, now - Number(row.updated_at)) * this.perMinute);
    return { tokens: tokens / UNIT, blockedUntil: Number(row.blocked_until), failures: Number(row.failures) };
  }
}

/**
 * A MixPay client that spends from the shared budget before every call and feeds 1429s and
 * outages back into it. Each user gets its own view: the reconciler keeps a reserve and never
 * waits; a callback or a merchant creating an order may wait a moment for a token.
 */
export class BudgetedMixPay implements MixPayApi {
  constructor(
    private readonly client: MixPayApi,
    private readonly budget: CallBudget,
    private readonly policy: { reserve?: number; maxWaitMs?: number } = {},
  ) {}

  /**
   * The same client and budget for a caller that must leave `calls` in the bucket: the public
   * checkout, which anyone can call, never takes the last calls callbacks need.
   */
  reserving(calls: number): BudgetedMixPay {
    return new BudgetedMixPay(this.client, this.budget, { ...this.policy, reserve: Math.max(this.policy.reserve ?? 0, calls) });
  }

  createOneTimePayment(request: OneTimePaymentRequest): Promise<OneTimePaymentResult> {
    return this.spend(() => this.client.createOneTimePayment(request));
  }

  getPaymentResult(query: PaymentResultQuery, include?: Array<'payment' | 'transactions'>): Promise<PaymentResult> {
    return this.spend(() => this.client.getPaymentResult(query, include));
  }

  private async spend<T>(call: () => Promise<T>): Promise<T> {
    await this.budget.take(this.policy);
    let value: T;
    try {
      value = await call();
    } catch (error) {
      if (error instanceof MixPayRateLimitError) await this.budget.reportFailure('rate_limited');
      else if (error instanceof MixPayUnavailableError) await this.budget.reportFailure('unavailable');
      else if (error instanceof MixPayApiError) await this.budget.reportSuccess();
      throw error;
    }
    // MixPay answered: a lost database connection while noting that must not lose the answer
    // (a minted link the order would never hear of). The next call notes it instead.
    await this.budget.reportSuccess().catch(() => {});
    return value;
  }
}
