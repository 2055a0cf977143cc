/**
 * The sandbox's memory of one-time links, and the single place that changes them: each change
 * fires its callbacks and, after a success, schedules settlement.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CallbackEvent } from '../../mixpay/types.ts';
import { CallbackSender, type CallbackSenderOptions } from './callback-sender.ts';
import { SandboxError } from './envelope.ts';
import type { OneTimePaymentInput } from './one-time-payment-schema.ts';
import { applyOutcome, expireIfOverdue, settle, type SimulateRequest } from './outcomes.ts';
import { newPayment, type SandboxPayment } from './payment.ts';

/** Settlement follows a success after this long (times timeScale), like MixPay's `settle` a moment later. */
const SETTLE_DELAY_MS = 3_000;

export class PaymentBook {
  private readonly byCode = new Map<string, SandboxPayment>();
  private readonly byTraceId = new Map<string, SandboxPayment>();
  private readonly byOrder = new Map<string, SandboxPayment>();
  private readonly callbacks: CallbackSender;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly options: CallbackSenderOptions) {
    this.callbacks = new CallbackSender(options);
  }

  /** Mints a link. orderId is unique per payee and traceId unique overall, as MixPay de-duplicates on them. */
  create(request: OneTimePaymentInput): SandboxPayment {
    if (request.orderId !== undefined && this.byOrder.has(orderKey(request.payeeId, request.orderId))) {
      throw new SandboxError('parameter', `orderId ${request.orderId} was already used for this payee; each order gets one link.`);
    }
    if (request.traceId !== undefined && this.byTraceId.has(request.traceId.toLowerCase())) {
      throw new SandboxError('parameter', `traceId ${request.traceId} was already used; send a new UUID.`);
    }
    // The code is never the traceId: whether MixPay makes them equal is unconfirmed (contracts §1),
    // so the sandbox keeps them apart and a server that confuses them fails here first.
    const payment = newPayment(request, { code: randomUUID(), traceId: request.traceId?.toLowerCase() ?? randomUUID() }, this.options.now());
    this.byCode.set(payment.code, payment);
    this.byTraceId.set(payment.traceId, payment);
    if (request.orderId !== undefined) this.byOrder.set(orderKey(request.payeeId, request.orderId), payment);
    return payment;
  }

  /** By the link's code (pay page, control calls); a lapsed link is expired on the way. */
  byLinkCode(code: string): SandboxPayment {
    return this.touch(this.byCode.get(code.toLowerCase()));
  }

  /** payments_result by traceId; the link's code is not a traceId and finds nothing. */
  byTrace(traceId: string): SandboxPayment {
    return this.touch(this.byTraceId.get(traceId.toLowerCase()));
  }

  /** payments_result by orderId + payeeId: the order's payee, or the one a tampered result reports. */
  byOrderOf(payeeId: string, orderId: string): SandboxPayment {
    let payment = this.byOrder.get(orderKey(payeeId, orderId));
    if (!payment) {
      for (const candidate of this.byOrder.values()) {
        if (candidate.request.orderId === orderId && candidate.reported.payeeId === payeeId) payment = candidate;
      }
    }
    return this.touch(payment);
  }

  /** The newest links first, for the sandbox's index page. */
  recent(limit: number): SandboxPayment[] {
    return [...this.byCode.values()].slice(-limit).reverse();
  }

  /** Applies a simulated customer action and sends the callbacks it causes. */
  simulate(payment: SandboxPayment, request: SimulateRequest): SandboxPayment {
    const events = applyOutcome(payment, request, this.options.now(), () => randomBytes(32).toString('hex'));
    this.fire(payment, events);
    if (payment.status === 'success') this.scheduleSettle(payment);
    return payment;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    this.callbacks.stop([...this.byCode.values()].flatMap((payment) => payment.deliveries));
  }

  private touch(payment: SandboxPayment | undefined): SandboxPayment {
    if (!payment) throw new SandboxError('notFound');
    this.fire(payment, expireIfOverdue(payment, this.options.now()));
    return payment;
  }

  private fire(payment: SandboxPayment, events: CallbackEvent[]): void {
    for (const event of events) this.callbacks.dispatch(payment, event);
  }

  private scheduleSettle(payment: SandboxPayment): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      this.fire(payment, settle(payment));
    }, Math.round(SETTLE_DELAY_MS * this.options.timeScale));
    timer.unref();
    this.settleTimers.add(timer);
  }
}

function orderKey(payeeId: string, orderId: string): string {
  return `${payeeId.toLowerCase()}\u0000${orderId}`;
}
