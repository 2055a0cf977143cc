/**
 * Delivers MixPay's callbacks: POST `{orderId, traceId, payeeId}` to the link's callbackUrl, again
 * on seed 001's schedule until the receiver answers HTTP 200 `{"code":"SUCCESS"}`. Every attempt is
 * recorded on the payment for `GET /payments/{code}/callbacks`. Timers are unref'd and `stop()`
 * cancels them and any request in flight.
 */
import type { CallbackEvent } from '../../mixpay/types.ts';
import { isCallbackAcknowledged, nextCallbackAttempt } from './callback-schedule.ts';
import type { CallbackDelivery, SandboxPayment } from './payment.ts';

/** Seed 001: success and fail are always sent; the others only when listed in callbackEvent. */
const ALWAYS_SENT: ReadonlySet<CallbackEvent> = new Set(['success', 'fail']);

/** How long one attempt may take before it counts as unreachable. */
const ATTEMPT_TIMEOUT_MS = 10_000;

export interface CallbackSenderOptions {
  timeScale: number;
  fetch: typeof fetch;
  now: () => number;
  log?: (line: string) => void;
}

export class CallbackSender {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new AbortController();
  private stopped = false;

  constructor(private readonly options: CallbackSenderOptions) {}

  /** Starts delivering `event` for `payment` when it has a callbackUrl and the event is subscribed. */
  dispatch(payment: SandboxPayment, event: CallbackEvent): CallbackDelivery | null {
    const url = payment.request.callbackUrl;
    if (!url || this.stopped) return null;
    if (!ALWAYS_SENT.has(event) && !payment.callbackEvents.has(event)) return null;
    const delivery: CallbackDelivery = {
      event,
      status: 'delivering',
      payload: { orderId: payment.request.orderId ?? '', traceId: payment.traceId, payeeId: payment.reported.payeeId },
      attempts: [],
    };
    payment.deliveries.push(delivery);
    this.scheduleNext(url, delivery);
    return delivery;
  }

  /** Cancels every pending retry and request; deliveries still running are marked `stopped`. */
  stop(deliveries: Iterable<CallbackDelivery> = []): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.inFlight.abort();
    for (const delivery of deliveries) if (delivery.status === 'delivering') delivery.status = 'stopped';
  }

  private scheduleNext(url: string, delivery: CallbackDelivery): void {
    const delay = nextCallbackAttempt(delivery.attempts.length, this.options.timeScale);
    if (delay === null) {
      delivery.status = 'gave_up';
      this.options.log?.(`mixpay: gave up ${delivery.event} callback to ${url} after ${delivery.attempts.length} attempts`);
      return;
    }
    this.later(delay, () => this.attempt(url, delivery));
  }

  private later(delayMs: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  private async attempt(url: string, delivery: CallbackDelivery): Promise<void> {
    const number = delivery.attempts.length + 1;
    const startedAt = this.options.now();
    let httpStatus: number | null = null;
    let detail: string;
    let acknowledged = false;
    try {
      const response = await this.options.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'MixPay-Sandbox/1' },
        body: JSON.stringify(delivery.payload),
        redirect: 'manual',
        signal: AbortSignal.any([this.inFlight.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      httpStatus = response.status;
      const text = await response.text();
      acknowledged = isCallbackAcknowledged(response.status, text);
      detail = text.slice(0, 200);
    } catch (error) {
      detail = (error as Error).message;
    }
    if (this.stopped) return;
    delivery.attempts.push({
      attempt: number,
      at: startedAt,
      httpStatus,
      outcome: acknowledged ? 'acknowledged' : httpStatus === null ? 'unreachable' : 'rejected',
      detail,
    });
    this.options.log?.(
      `mixpay: ${delivery.event} callback #${number} to ${url} → ${httpStatus ?? 'no answer'}${acknowledged ? ' (acknowledged)' : ''}`,
    );
    if (acknowledged) {
      delivery.status = 'acknowledged';
      return;
    }
    this.scheduleNext(url, delivery);
  }
}
