/**
 * Named diagnostics channels (node:diagnostics_channel) on which the server's parts report what
 * happened, for metrics to count. Publishing costs nothing while nobody listens, and the parts
 * that publish (the MixPay client, the callback receiver, the notification sender) know nothing
 * of Prometheus.
 */
import { channel } from 'node:diagnostics_channel';

export interface MixPayCallMessage {
  /** `GET /payments_result`, `POST /one_time_payment`: the path without its query. */
  endpoint: string;
  /** `ok`, `rate_limited`, `unavailable` or `rejected` (MixPay answered with an error). */
  outcome: 'ok' | 'rate_limited' | 'unavailable' | 'rejected';
  durationMs: number;
}

export interface CallbackMessage {
  /** What the callback led to: a verdict (`paid`, `pending`, `paid_less`, `failed`, `unpaid`, `mismatch`), or `unknown_order`, `not_awaiting`, `retry`, `forbidden`, `no_payment`. */
  outcome: string;
  /** For a mismatch: the field that did not match (payeeId, quoteAmount, quoteAssetId, traceId, ...). */
  field?: string;
}

export interface NotificationAttemptMessage {
  outcome: 'delivered' | 'rejected' | 'unreachable';
  httpStatus: number | null;
  durationMs: number;
}

export const mixpayCallChannel = channel('mixpay-checkout:mixpay-call');
export const callbackChannel = channel('mixpay-checkout:callback');
export const notificationAttemptChannel = channel('mixpay-checkout:notification-attempt');
/** Warnings from parts that hold no logger (the store's pool, the caller check); the server's log subscribes. */
export const warningChannel = channel('mixpay-checkout:warning');

export interface WarningMessage {
  line: string;
}

export function reportMixPayCall(message: MixPayCallMessage): void {
  if (mixpayCallChannel.hasSubscribers) mixpayCallChannel.publish(message);
}

export function reportCallback(message: CallbackMessage): void {
  if (callbackChannel.hasSubscribers) callbackChannel.publish(message);
}

export function reportNotificationAttempt(message: NotificationAttemptMessage): void {
  if (notificationAttemptChannel.hasSubscribers) notificationAttemptChannel.publish(message);
}

/** Says `line` through the server's log when one listens (a running server), else on stderr. */
export function reportWarning(line: string): void {
  if (warningChannel.hasSubscribers) warningChannel.publish({ line } satisfies WarningMessage);
  else console.warn(`[mixpay-checkout] ${line}`);
}
