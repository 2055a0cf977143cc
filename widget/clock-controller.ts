import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Re-renders its host once a second while running (for the countdown to expiry). */
export class ClockController implements ReactiveController {
  now = Date.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Starts or stops the ticking; idempotent. */
  run(on: boolean): void {
    if (on === this.#running) return;
    this.#running = on;
    if (on) this.hostConnected();
    else this.hostDisconnected();
  }

  hostConnected(): void {
    if (!this.#running || this.#timer !== undefined) return;
    this.now = Date.now();
    this.#timer = setInterval(() => {
      this.now = Date.now();
      this.host.requestUpdate();
    }, 1000);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
