/** Waiting in tests: one `eventually` for every suite, and `sleep`. */

/** What a check returns once it is satisfied. */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Polls `check` every 25 ms until it returns a truthy value, or throws after the timeout naming
 * what was awaited. The timeout (ms) and the description may come in either order, so both
 * spellings the suites grew up with read the same: `eventually(f, 5000, 'the order')` and
 * `eventually(f, 'the order', 8000)`. Default: 5 s.
 */
export async function eventually<T>(check: () => T | Promise<T>, first?: number | string, second?: number | string): Promise<Truthy<T>> {
  const timeoutMs = typeof first === 'number' ? first : typeof second === 'number' ? second : 5000;
  const what = typeof first === 'string' ? first : typeof second === 'string' ? second : 'condition';
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
