/** Runs `task` now and then `intervalMs` after each run ends, never two at once, until stopped. */
export interface Running {
  /** Stops the loop and waits for a run in progress; no timer is left behind. */
  stop(): Promise<void>;
}

export function runEvery(intervalMs: number, task: () => Promise<unknown>, onError: (error: Error) => void): Running {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    // Through a promise, so a task that throws before its first await is caught like any other.
    running = Promise.resolve()
      .then(task)
      .catch((error: Error) => onError(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      clearTimeout(timer);
    },
  };
}

/** `runEvery` for a named worker whose failures go to the log as `[name] message`. */
export function runWorker(name: string, intervalMs: number, task: () => Promise<unknown>, log: (line: string) => void): Running {
  return runEvery(intervalMs, task, (error) => log(`[${name}] ${error.message}`));
}
