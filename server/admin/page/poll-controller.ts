import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Runs `task` now and every `intervalMs` while the host is connected and `active()` says so; each
 * run gets an AbortSignal that the next run or a disconnect aborts, so a slow old answer never
 * lands after a newer one.
 */
export class PollController implements ReactiveController {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private controller: AbortController | undefined;
  private connected = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly task: (signal: AbortSignal) => Promise<void>,
    private readonly intervalMs: number,
    private readonly active: () => boolean = () => true,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    void this.run();
  }

  hostDisconnected(): void {
    this.connected = false;
    clearTimeout(this.timer);
    this.controller?.abort();
  }

  /** Runs the task at once (after a change) and restarts the interval. */
  async run(): Promise<void> {
    clearTimeout(this.timer);
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    try {
      await this.task(controller.signal);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    } finally {
      if (this.connected && this.controller === controller && this.active()) this.timer = setTimeout(() => void this.run(), this.intervalMs);
    }
  }
}
