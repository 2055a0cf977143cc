/** Timing of the status follower and of checkout retries. */
export interface RetryTiming {
  /** Delay between polls while the server answers (the contract allows at most one poll per 2 s). */
  pollInterval: number;
  /** First back-off delay after a failure. */
  retryBase: number;
  /** Longest back-off delay. */
  retryMax: number;
}

export const DEFAULT_TIMING: RetryTiming = { pollInterval: 2000, retryBase: 1000, retryMax: 30_000 };

/**
 * Exponential back-off with ±20 % jitter, so that many customers' buttons do not hammer a
 * recovering server in step. `failures` counts consecutive failures, starting at 1.
 */
export function nextRetryDelay(failures: number, timing: RetryTiming = DEFAULT_TIMING, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 20);
  const plain = Math.min(timing.retryBase * 2 ** exponent, timing.retryMax);
  return Math.round(plain * (0.8 + 0.4 * random()));
}
