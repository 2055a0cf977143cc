/**
 * Watches the timers that code under `fromPath` schedules, so a test can prove that stopping a
 * worker leaves none pending (timers of the database driver and the test runner are not counted).
 */
import { fileURLToPath } from 'node:url';

export interface TimerWatch {
  /** Timers scheduled from the watched code so far. */
  readonly scheduled: number;
  /** Of those, the ones neither fired nor cleared yet. */
  readonly pending: number;
  /** Puts the real setTimeout and clearTimeout back. */
  restore(): void;
}

export function watchTimers(fromPath: string | URL): TimerWatch {
  const needle = typeof fromPath === 'string' ? fromPath : fileURLToPath(fromPath);
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const live = new Set<unknown>();
  let scheduled = 0;
  const watchedSet = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const mine = (new Error().stack ?? '').includes(needle);
    const handle: ReturnType<typeof realSet> = realSet(() => {
      live.delete(handle);
      callback(...args);
    }, ms);
    if (mine) {
      scheduled += 1;
      live.add(handle);
    }
    return handle;
  }) as typeof setTimeout;
  globalThis.setTimeout = watchedSet;
  globalThis.clearTimeout = ((handle?: Parameters<typeof clearTimeout>[0]) => {
    live.delete(handle);
    realClear(handle);
  }) as typeof clearTimeout;
  return {
    get scheduled() {
      return scheduled;
    },
    get pending() {
      return live.size;
    },
    restore() {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    },
  };
}
