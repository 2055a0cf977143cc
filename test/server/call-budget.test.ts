/**
 * The shared MixPay budget (issue 12 §6, issue 13 §4): a sliding window of MIXPAY_RATE_LIMIT_PER_MINUTE
 * calls in any 60 s, kept in the database so every process draws on the same one, with callers
 * waiting a bounded time for a slot, a reserve, and a back-off that one incident shortens once.
 * Settable clocks throughout: nothing here asserts on real time. On both backends.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../support/stores.ts';
import { TestClock } from '../support/orders.ts';
import { eventually } from '../support/wait.ts';
import { openStore, type Store } from '../../server/store/db.ts';
import { BACKOFF_CAP_MS, BudgetedMixPay, CallBudget, MixPayBudgetError, backoffAfter, type MixPayApi } from '../../server/mixpay/call-budget.ts';
import { MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from '../../server/mixpay/errors.ts';
import type { PaymentResult } from '../../server/mixpay/types.ts';

const MINUTE = 60_000;
let names = 0;
const fresh = () => `budget-test-${process.pid}-${++names}`;

describe('back-off (pure)', () => {
  test('grows with consecutive incidents, capped so service returns within 30 s of recovery', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 40].map((n) => backoffAfter('unavailable', n)), [2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
    assert.deepEqual([1, 2, 3, 40].map((n) => backoffAfter('rate_limited', n)), [10_000, 20_000, 20_000, 20_000]);
    assert.equal(BACKOFF_CAP_MS, 20_000);
    // The cap plus a hung call's own timeout (10 s, MixPayClient's default) stays within 30 s.
    assert.ok(backoffAfter('unavailable', 99) + 10_000 <= 30_000);
  });
});

for (const backend of await backends()) {
  describe(`MixPay budget on ${backend.name}`, () => {
    let store: TestStore;
    let other: Store;

    before(async () => {
      store = await backend.create();
      // A second connection (pool) to the same database: another process's view.
      other = openStore(store.url);
    });
    after(async () => {
      await other.close();
      await store.dispose();
    });

    test('any 60 s window allows exactly the limit: a burst takes the whole minute at once', async () => {
      const clock = new TestClock();
      const budget = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: fresh() });
      const burst = await Promise.all(Array.from({ length: 60 }, () => budget.tryTake()));
      assert.deepEqual(new Set(burst), new Set([0]), 'all 60 at once');
      assert.equal(await budget.tryTake(), MINUTE, 'the 61st waits for the first to leave the window');
      clock.advance(45_000);
      assert.equal(await budget.tryTake(), 15_000, 'an honest wait');
      clock.advance(15_000);
      assert.equal((await budget.state()).available, 60);
      // Steady use over three minutes never exceeds the limit in any 60 s window.
      const taken: number[] = [];
      for (let i = 0; i < 3 * 60 * 4; i++) {
        if ((await budget.tryTake()) === 0) taken.push(clock.ms);
        clock.advance(250 + (i % 7) * 50);
      }
      for (const start of taken) assert.ok(taken.filter((t) => t >= start && t < start + MINUTE).length <= 60);
      assert.ok(taken.length >= 3 * 60, `${taken.length} calls in three minutes`);
    });

    test('shared by every process: concurrent takes over two connections never exceed the limit', async () => {
      const clock = new TestClock();
      const name = fresh();
      const a = new CallBudget(store.db, { perMinute: 60, now: clock.now, name });
      const b = new CallBudget(other.db, { perMinute: 60, now: clock.now, name });
      const waits = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).tryTake()));
      assert.equal(waits.filter((w) => w === 0).length, 60);
      assert.ok(waits.filter((w) => w !== 0).every((w) => w === MINUTE));
      assert.equal((await a.state()).available, 0);
      assert.equal((await b.state()).available, 0);
    });

    test('a limit above 60 for an account MixPay allows more', async () => {
      const clock = new TestClock();
      const budget = new CallBudget(store.db, { perMinute: 150, now: clock.now, name: fresh() });
      const waits = await Promise.all(Array.from({ length: 160 }, () => budget.tryTake()));
      assert.equal(waits.filter((w) => w === 0).length, 150);
    });

    test('the reserve: a caller that must leave calls stops while they are left', async () => {
      const clock = new TestClock();
      const budget = new CallBudget(store.db, { perMinute: 12, now: clock.now, name: fresh() });
      let background = 0;
      while ((await budget.tryTake(3)) === 0) background += 1;
      assert.equal(background, 9);
      assert.equal((await budget.state()).available, 3);
      assert.equal(await budget.tryTake(0), 0, 'a callback still gets a call');
      assert.equal(await budget.tryTake(3), MINUTE, 'the reserved caller waits for a slot beyond the reserve');
      await assert.rejects(budget.take({ maxWaitMs: 0, reserve: 3 }), MixPayBudgetError);
    });

    test('callers wait for a slot up to the bound, then are refused with an honest wait', async () => {
      const clock = new TestClock();
      const slept: number[] = [];
      // Sleeping moves the settable clock: no real time passes.
      const sleep = async (ms: number) => {
        slept.push(ms);
        clock.advance(ms);
      };
      const budget = new CallBudget(store.db, { perMinute: 5, now: clock.now, name: fresh(), sleep });
      for (let i = 0; i < 5; i++) await budget.take();
      clock.advance(52_000);
      await budget.take({ maxWaitMs: 10_000 });
      assert.deepEqual(slept, [8_000], 'waited for the first slot to leave the window');
      clock.advance(1_000);
      for (let i = 0; i < 4; i++) await budget.take();
      // Full again: the next slot frees when the call at 60 s leaves the window, 59 s away.
      const refused = await budget.take({ maxWaitMs: 2_000 }).then(
        () => null,
        (error: unknown) => error,
      );
      assert.ok(refused instanceof MixPayBudgetError);
      assert.equal(refused.waitMs, 59_000, 'the wait it reports is the real one (Retry-After)');
      assert.deepEqual(slept, [8_000], 'refused at once: no point in waiting 2 s for a slot 59 s away');
    });

    test('one incident shortens the budget once, not once per concurrent failed call', async () => {
      const clock = new TestClock();
      const budget = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: fresh() });
      const sentAt = clock.ms;
      clock.advance(8_000); // an 8 s hang: every call in flight fails at about the same time
      await Promise.all(Array.from({ length: 20 }, () => budget.reportFailure('unavailable', sentAt)));
      let state = await budget.state();
      assert.equal(state.failures, 1);
      assert.equal(state.blockedUntil, clock.ms + backoffAfter('unavailable', 1));
      // A late answer from a call sent before the failure neither counts again nor clears it.
      await budget.reportSuccess(sentAt);
      assert.equal((await budget.state()).failures, 1);
      // The probe after the back-off fails too: a second incident.
      clock.ms = state.blockedUntil;
      const probe = clock.ms;
      clock.advance(10_000);
      await budget.reportFailure('unavailable', probe);
      state = await budget.state();
      assert.equal(state.failures, 2);
      assert.equal(state.blockedUntil, clock.ms + backoffAfter('unavailable', 2));
      // A success sent after the last failure ends the back-off.
      clock.ms = state.blockedUntil;
      await budget.reportSuccess(clock.ms);
      state = await budget.state();
      assert.deepEqual([state.failures, state.blockedUntil], [0, 0]);
    });

    test('through the client: concurrent calls failing in one 1429, 5xx or hang back off once', async () => {
      for (const failure of [new MixPayRateLimitError(1429, 'Too many requests', 429), new MixPayUnavailableError('HTTP 500'), new MixPayUnavailableError('timeout')]) {
        const clock = new TestClock();
        const budget = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: fresh() });
        let release!: () => void;
        const hung = new Promise<void>((resolve) => (release = resolve));
        let sent = 0;
        const client: MixPayApi = {
          async createOneTimePayment() {
            throw new Error('unused');
          },
          async getPaymentResult() {
            sent += 1;
            await hung;
            throw failure;
          },
        };
        const mixpay = new BudgetedMixPay(client, budget);
        const calls = Array.from({ length: 12 }, () => mixpay.getPaymentResult({ traceId: 'x' }).catch((error: unknown) => error));
        // All 12 in flight (each took its slot from the database first) before time moves on and they fail.
        await eventually(() => sent === 12, 10_000, 'all 12 calls sent');
        clock.advance(8_000);
        release();
        const errors = await Promise.all(calls);
        assert.ok(errors.every((e) => e === failure));
        const state = await budget.state();
        assert.equal(state.failures, 1, failure.message);
        const kind = failure instanceof MixPayRateLimitError ? 'rate_limited' : 'unavailable';
        assert.equal(state.blockedUntil, clock.ms + backoffAfter(kind, 1), failure.message);
      }
    });

    test('normal service within 30 s after MixPay recovers from a hang, a 1429 or a 5xx', async () => {
      const cases = [
        { name: 'hang', fail: () => new MixPayUnavailableError('timeout'), takesMs: 10_000 },
        { name: '1429', fail: () => new MixPayRateLimitError(1429, 'Too many requests', 429), takesMs: 50 },
        { name: '5xx', fail: () => new MixPayUnavailableError('HTTP 502'), takesMs: 50 },
      ];
      for (const scenario of cases) {
        const clock = new TestClock();
        const budget = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: fresh() });
        const start = clock.ms;
        const recoversAt = start + 5 * MINUTE;
        const client: MixPayApi = {
          async createOneTimePayment() {
            throw new Error('unused');
          },
          async getPaymentResult() {
            const sent = clock.ms;
            if (sent < recoversAt) {
              // A hung call returns only at its timeout, possibly after MixPay recovered.
              clock.advance(scenario.takesMs);
              throw scenario.fail();
            }
            return { status: 'unpaid' } as PaymentResult;
          },
        };
        const mixpay = new BudgetedMixPay(client, budget);
        // A caller every second, for ten minutes; each asks without waiting.
        let firstOkAfterRecovery: number | null = null;
        let refusedAfterRecovery = 0;
        let okDuringOutage = 0;
        while (clock.ms < start + 10 * MINUTE) {
          try {
            await mixpay.getPaymentResult({ traceId: 'x' });
            if (clock.ms < recoversAt) okDuringOutage += 1;
            firstOkAfterRecovery ??= clock.ms;
          } catch (error) {
            if (error instanceof MixPayBudgetError && clock.ms >= recoversAt) refusedAfterRecovery += 1;
            if (!(error instanceof MixPayBudgetError) && !(error instanceof MixPayRateLimitError) && !(error instanceof MixPayUnavailableError)) throw error;
          }
          clock.advance(1_000);
        }
        assert.equal(okDuringOutage, 0, scenario.name);
        assert.ok(firstOkAfterRecovery !== null, scenario.name);
        assert.ok(firstOkAfterRecovery - recoversAt <= 30_000, `${scenario.name}: back ${(firstOkAfterRecovery - recoversAt) / 1000} s after recovery`);
        assert.ok(refusedAfterRecovery <= 30, scenario.name);
        // Once back, nothing is refused.
        const state = await budget.state();
        assert.deepEqual([state.failures, state.blockedUntil], [0, 0], scenario.name);
      }
    });

    test("MixPay's own refusal is an answer: it clears a back-off and costs no incident", async () => {
      const clock = new TestClock();
      const budget = new CallBudget(store.db, { perMinute: 60, now: clock.now, name: fresh() });
      await budget.reportFailure('unavailable', clock.ms);
      clock.ms = (await budget.state()).blockedUntil;
      const client: MixPayApi = {
        async createOneTimePayment() {
          throw new MixPayApiError(1017, 'Parameter error', 400);
        },
        async getPaymentResult() {
          throw new Error('unused');
        },
      };
      await assert.rejects(new BudgetedMixPay(client, budget).createOneTimePayment({} as never), MixPayApiError);
      assert.equal((await budget.state()).failures, 0);
    });
  });
}
