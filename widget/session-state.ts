/**
 * The vocabulary of the checkout session: its states, the events that move it, the effects it asks
 * for, and what the customer sees in a state (`phaseOf`). The transitions are session-machine.ts;
 * checkout-session.ts carries out the effects. Plain data only: no DOM, network or clock.
 *
 * To add a state: a member of `Step`, its case in `phaseOf` (and a new `Phase` when the customer
 * should see something new), and the events that lead into and out of it in `reduce`. The switches
 * over steps and events are exhaustive, so the compiler names each place that must learn of it.
 */
import type { ServerError, OrderEndpoints } from './checkout-api.ts';
import type { Environment, LinkChoice, LinkKind } from './choose-link.ts';
import type { MixpayEventMap } from './events.ts';
import type { OrderStatus } from './order-status.ts';
import { orderPhase, type Phase } from './phase.ts';
import type { QrMatrix } from './qr-matrix.ts';

/** The element's attributes that describe a checkout, as they are when the event happens. */
export interface Setup {
  readonly server: string;
  readonly product: string;
  readonly orderId: string;
  readonly payeeId: string;
  readonly quoteAmount: string;
  readonly quoteAssetId: string;
  readonly settlementAssetId: string;
  readonly remark: string;
  readonly payBase: string;
  readonly allowedSchemes: string;
  /** When a click after a final order starts a new one (`new-purchase`); default `unpaid`. */
  readonly newPurchase?: 'unpaid' | 'always' | 'never';
}

/** The link offered to the customer, its QR code once drawn, and whether it was copied. */
export interface Offer {
  choice: LinkChoice;
  qr: QrMatrix | null;
  copied: boolean;
  copiedAmount?: boolean;
}

/** Where the session is. Each step means one thing; `phaseOf` says what the customer sees. */
export type Step =
  /** No checkout yet. */
  | { step: 'idle' }
  /**
   * The checkout (or the merchant's order) is being fetched. `quiet`: an order the element
   * remembered, coming back (reload, Back): show its state, open nothing. `retried`: after "busy".
   */
  | { step: 'creating'; quiet?: true; retried?: true }
  /** The server refused the checkout for now (429, 503 with Retry-After); `auto`: it is retried by itself at `until`. */
  | { step: 'busy'; until: number; auto: boolean }
  /** The server could not be reached for the checkout; a retry is scheduled. */
  | { step: 'retrying' }
  /** A plain pay link `url`, no server; `offer` is null until the environment is known. */
  | { step: 'linkOnly'; url: string; offer: Offer | null }
  /** An order is followed; `live` is false while the status follower retries. */
  | { step: 'following'; order: OrderStatus; offer: Offer; live: boolean; expiryChecked: boolean }
  /**
   * The checkout failed for the reason in `message`. The order, if there was one, stays shown, as
   * does the amount of a plain pay link (`linkOnly`).
   */
  | { step: 'error'; order: OrderStatus | null; linkOnly: boolean; message: string }
  /** A link was refused by the URL policy; `order` and `linkOnly` as for `error`. */
  | { step: 'refused'; order: OrderStatus | null; linkOnly: boolean };

export type SessionState = Step & {
  /** Counts the checkouts started: an answer that belongs to an older one is dropped. */
  run: number;
  /** Consecutive attempts that could not reach the server for a checkout (the back-off grows with them). */
  failures: number;
  /** The countdown's clock (Unix ms), moved on by `tick`. */
  now: number;
};

/** What a customer's action brings: the attributes at that moment, and a trace id for a plain pay link. */
export interface Intent {
  setup: Setup;
  traceId?: string | undefined;
}

export type SessionEvent =
  /** The pay button, or `open()`. */
  | ({ type: 'open' } & Intent)
  /** The dialog's "Start a new checkout". */
  | ({ type: 'startOver' } & Intent)
  /** The dialog's "Retry now". */
  | ({ type: 'retry' } & Intent)
  /** The back-off after an unreachable server is over. */
  | ({ type: 'retryDue' } & Intent)
  /** The element is in the DOM (again: a framework may move it). */
  | ({ type: 'connected' } & Intent)
  /** The element remembered an open order (`orderId`) for this purchase: follow it instead of a new one. */
  | ({ type: 'resume'; orderId: string } & Intent)
  /** The checkout answer or the merchant's order, with where the page runs and the allowed schemes now. */
  | { type: 'loaded'; run: number; order: OrderStatus; endpoints: OrderEndpoints; environment: Environment; allowedSchemes: string }
  | { type: 'loadFailed'; run: number; error: unknown; now?: number }
  /** Link-only mode: where the page runs. */
  | { type: 'environmentKnown'; run: number; environment: Environment }
  /** The QR encoder (a chunk of its own) has loaded, or could not. */
  | { type: 'qrEncoderLoaded'; run: number; encode: (text: string) => QrMatrix }
  | { type: 'qrEncoderFailed'; error: unknown }
  /** The status follower: a newer status, the connection, a failure that retrying will not cure. */
  | { type: 'status'; order: OrderStatus }
  | { type: 'connection'; live: boolean }
  | { type: 'statusFailed'; error: ServerError }
  /** The customer clicked the offered link. */
  | { type: 'linkClicked'; allowedSchemes: string }
  /** The link is on the clipboard. */
  | { type: 'copied'; what?: 'amount' }
  /** A second of the countdown has passed. */
  | { type: 'tick'; now: number };

/** A `mixpay-*` event to fire on the element, with its typed detail. */
export type Announcement = { [K in keyof MixpayEventMap]: { type: 'emit'; name: K; detail: MixpayEventMap[K] } }[keyof MixpayEventMap];

export type Effect =
  | Announcement
  /** Abort the checkout request, the retry timer and the status follower: a new checkout starts. */
  | { type: 'cancelAll' }
  /** Open the dialog once it is rendered, unless it is open. */
  | { type: 'showDialog' }
  /** Fetch the checkout of `product` (else the order `orderId`) and the environment: `loaded` or `loadFailed`. */
  | { type: 'load'; run: number; server: string; product: string; orderId: string }
  /** Find out where the page runs: `environmentKnown`. */
  | { type: 'detectEnvironment'; run: number }
  /** Load the QR encoder: `qrEncoderLoaded` or `qrEncoderFailed`. */
  | { type: 'loadQrEncoder'; run: number }
  /** Follow the order's status (`status`, `connection`, `statusFailed`), ask for it now, or stop. */
  | { type: 'follow'; endpoints: OrderEndpoints; order: OrderStatus }
  | { type: 'checkStatus' }
  | { type: 'stopFollowing' }
  /** Fire the cancelable `mixpay-open` and, unless the page cancels it, go to the link. */
  | { type: 'openLink'; kind: LinkKind; url: string }
  /** Cancel the click on a link that was refused. */
  | { type: 'cancelClick' }
  /** Fire `retryDue` after the back-off for `failures` consecutive failures, or after `delay` ms. */
  | { type: 'retryLater'; failures: number; delay?: number };

export interface Transition {
  state: SessionState;
  effects: Effect[];
}

/** The session before any checkout. */
export function initialState(now: number): SessionState {
  return { step: 'idle', run: 0, failures: 0, now };
}

/** What the customer sees in `state`: the one phase the view renders from. */
export function phaseOf(state: SessionState): Phase {
  switch (state.step) {
    case 'idle':
    case 'creating':
    case 'linkOnly':
      return state.step;
    case 'retrying':
      return 'unreachable';
    case 'busy':
      return 'busy';
    case 'following': {
      const { status, expires_at_t } = state.order;
      // Expired in the customer's time: at 0:00 the link is gone, whatever the server's grace window.
      if (status === 'NEW' && expires_at_t > 0 && state.now >= expires_at_t) return 'expired';
      return state.live ? orderPhase(status) : 'unreachable';
    }
    case 'error':
    case 'refused':
      return 'error';
  }
}

/** The order being paid, or null. */
export function orderOf(state: SessionState): OrderStatus | null {
  return 'order' in state ? state.order : null;
}

/** The link on offer, or null. */
export function offerOf(state: SessionState): Offer | null {
  return 'offer' in state ? state.offer : null;
}

/** True for a plain pay link (no server): the amount and the payee come from the attributes. */
export function isLinkOnly(state: SessionState): boolean {
  return state.step === 'linkOnly' || ('linkOnly' in state && state.linkOnly);
}
