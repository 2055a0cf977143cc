/**
 * When MixPay calls a merchant's `callbackUrl` again, and what counts as "handled" (seed 001).
 * Pure: no timers, no I/O, so the schedule is tested without a server.
 */

/**
 * Seed 001: "retry at 0s/15s/15s/30s/180s/1800s/1800s/1800s/1800s/3600s, a total 10 times".
 * Read as the wait before each attempt, counted from the previous one (the first goes out at once):
 * offsets from the event could not list 15 s twice. The whole chain spans a little over 3 hours.
 */
export const CALLBACK_DELAYS_SECONDS: readonly number[] = [0, 15, 15, 30, 180, 1800, 1800, 1800, 1800, 3600];

export const CALLBACK_MAX_ATTEMPTS = CALLBACK_DELAYS_SECONDS.length;

/**
 * Milliseconds to wait before the next delivery attempt after `attemptsMade` attempts, scaled by
 * `timeScale` (0.001 runs the 3-hour chain in 11 s); null once all ten attempts are spent.
 */
export function nextCallbackAttempt(attemptsMade: number, timeScale = 1): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 0) {
    throw new RangeError(`attemptsMade must be a non-negative integer, got ${attemptsMade}`);
  }
  assertTimeScale(timeScale);
  const seconds = CALLBACK_DELAYS_SECONDS[attemptsMade];
  if (seconds === undefined) return null;
  return Math.round(seconds * 1000 * timeScale);
}

/**
 * True only for HTTP 200 whose JSON body has `code` exactly "SUCCESS" (seed 001: "Anything code not
 * equal to SUCCESS, MixPay server will see it as a failure"). `{"code":"success"}`, a 204 or an
 * HTML page all mean "call again".
 */
export function isCallbackAcknowledged(httpStatus: number, body: string): boolean {
  if (httpStatus !== 200) return false;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null && (parsed as { code?: unknown }).code === 'SUCCESS';
  } catch {
    return false;
  }
}

/** A time scale multiplies real delays: finite and not negative (0 fires every retry at once). */
export function assertTimeScale(timeScale: number): void {
  if (typeof timeScale !== 'number' || !Number.isFinite(timeScale) || timeScale < 0) {
    throw new RangeError(`timeScale must be a finite number >= 0 (1 = MixPay's real delays), got ${String(timeScale)}`);
  }
}
