/**
 * When a notification the merchant did not acknowledge is tried again (pure). MugglePay retries
 * "with doubling back-off from 1 minute for up to 3 days" (contracts §5); we double from one minute
 * up to six hours between attempts and give up after the attempt that lands past three days:
 *
 *   attempt   1   2   3   4   5    6    7    8     9     10    11 … 21
 *   wait      1m  2m  4m  8m  16m  32m  64m  128m  256m  6h    6h … (then give up)
 *
 * 21 attempts spread over about 74.5 hours. Any event can be sent again by hand after that.
 */

export const FIRST_RETRY_MS = 60_000;
export const MAX_RETRY_MS = 6 * 60 * 60_000;
export const MAX_ATTEMPTS = 21;

/** Milliseconds to wait after `failedAttempts` failures (1 = the first attempt failed), or null to give up. */
export function nextNotificationDelay(failedAttempts: number): number | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError('failedAttempts counts from 1');
  if (failedAttempts >= MAX_ATTEMPTS) return null;
  return Math.min(FIRST_RETRY_MS * 2 ** (failedAttempts - 1), MAX_RETRY_MS);
}

/** Offsets from the first attempt of every attempt on the schedule, in milliseconds. */
export function notificationScheduleOffsets(): number[] {
  const offsets = [0];
  for (let failed = 1; ; failed++) {
    const delay = nextNotificationDelay(failed);
    if (delay === null) return offsets;
    offsets.push(offsets[offsets.length - 1]! + delay);
  }
}

/**
 * True for an answer that says the request itself is wrong, so sending it again cannot help: a
 * 4xx other than 408 (timeout), 425 (too early) and 429 (too many requests), as BTCPay decides.
 */
export function isRefusal(httpStatus: number): boolean {
  return httpStatus >= 400 && httpStatus < 500 && httpStatus !== 408 && httpStatus !== 425 && httpStatus !== 429;
}
