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
    running = task()
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
