import type { LinkKind } from './choose-link.ts';
import type { OrderStatus } from './order-status.ts';

/** Detail of `mixpay-open`: the link the element is about to open. Cancel the event to stop it. */
export interface MixpayOpenDetail {
  kind: LinkKind;
  url: string;
}

/** Detail of `mixpay-status`, `mixpay-success` and `mixpay-expired`. */
export interface MixpayStatusDetail {
  order: OrderStatus;
}

/** Detail of `mixpay-failed` (FAILED or CANCELED). */
export interface MixpayFailedDetail {
  order: OrderStatus;
  reason: string | null;
}

/** What went wrong, for `mixpay-error`. */
export type MixpayErrorCode =
  | 'network' // the server cannot be reached (the element keeps retrying)
  | 'server' // the server refused the request (unknown product or order, bad configuration)
  | 'bad-response' // the server's answer does not match the contract
  | 'unsafe-url' // a link was refused by the URL policy
  | 'busy' // the server refused the checkout for now (429, 503): the element waits and retries once
  | 'config'; // the element's attributes do not describe a checkout

/** Detail of `mixpay-error`. */
export interface MixpayErrorDetail {
  code: MixpayErrorCode;
  message: string;
  /** The server's `error_code`, when the server sent one. */
  serverCode?: string;
  /** The refused URL, for `unsafe-url`. */
  url?: string;
}

/** Detail of `mixpay-order`: the order the element follows (created, or remembered and resumed). */
export interface MixpayOrderDetail {
  orderId: string;
}

/** Every event the element fires, with its detail. */
export interface MixpayEventMap {
  'mixpay-open': MixpayOpenDetail;
  'mixpay-order': MixpayOrderDetail;
  'mixpay-status': MixpayStatusDetail;
  'mixpay-success': MixpayStatusDetail;
  'mixpay-failed': MixpayFailedDetail;
  'mixpay-expired': MixpayStatusDetail;
  'mixpay-error': MixpayErrorDetail;
  'mixpay-close': Record<string, never>;
}

/**
 * Fires an element event: bubbles and composed, so the host page hears it through the shadow
 * root. Returns false when a cancelable event was canceled.
 */
export function emit<K extends keyof MixpayEventMap>(
  target: EventTarget,
  name: K,
  detail: MixpayEventMap[K],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(name, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mixpay-open': CustomEvent<MixpayOpenDetail>;
    'mixpay-order': CustomEvent<MixpayOrderDetail>;
    'mixpay-status': CustomEvent<MixpayStatusDetail>;
    'mixpay-success': CustomEvent<MixpayStatusDetail>;
    'mixpay-failed': CustomEvent<MixpayFailedDetail>;
    'mixpay-expired': CustomEvent<MixpayStatusDetail>;
    'mixpay-error': CustomEvent<MixpayErrorDetail>;
    'mixpay-close': CustomEvent<Record<string, never>>;
  }
}
