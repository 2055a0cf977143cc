/** Runs a task every `intervalMs`, never two at once, until stopped; failures are logged and retried. */
export interface Loop {
  stop(): Promise<void>;
}

export function startLoop(name: string, intervalMs: number, task: () => Promise<unknown>, log: (line: string) => void): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      try {
        await task();
      } catch (error) {
        log(`[${name}] ${(error as Error).message}`);
      }
    })().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
