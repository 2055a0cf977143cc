/**
 * The checkout session's transitions: `reduce(state, event)` returns the next state and the effects
 * to carry out (the types are session-state.ts). checkout-session.ts carries the effects out
 * (requests, timers, the status follower, the dialog, navigation) and feeds what comes back in as
 * events. Nothing here touches the DOM, the network or a clock, so every transition is tested as
 * plain data.
 */
import { ServerError } from './checkout-api.ts';
import { chooseLink, type Environment, type LinkChoice } from './choose-link.ts';
import type { MixpayErrorCode, MixpayEventMap } from './events.ts';
import { BadResponseError, isFinalStatus, type OrderStatus } from './order-status.ts';
import { buildPayLink } from './pay-link.ts';
import { startsOver, type Phase } from './phase.ts';
import type { QrMatrix } from './qr-matrix.ts';
import { isSafeUrl, walletSchemes } from './safe-url.ts';
import {
  isLinkOnly, offerOf, orderOf, phaseOf,
  type Announcement, type Effect, type Intent, type Offer, type SessionEvent, type SessionState, type Setup, type Transition,
} from './session-state.ts';

type Loaded = Extract<SessionEvent, { type: 'loaded' }>;
type Following = Extract<SessionState, { step: 'following' }>;

/** The next state, and the effects to carry out, after `event` in `state`. */
export function reduce(state: SessionState, event: SessionEvent): Transition {
  switch (event.type) {
    case 'open':
      return buysAgain(phaseOf(state), event.setup) ? start(state, event) : stay(state, { type: 'showDialog' });
    case 'resume':
      return state.step === 'idle' ? resume(state, event) : stay(state);
    case 'startOver':
      return start(state, event);
    case 'retry':
      // An order that can still change is asked again; anything else (the checkout itself could
      // not be fetched, an error) starts over.
      return state.step === 'following' && !isFinalStatus(state.order.status) ? stay(state, { type: 'checkStatus' }) : start(state, event);
    case 'retryDue':
      if (state.step === 'busy') return retried(start(state, event));
      return state.step === 'retrying' ? start(state, event) : stay(state);
    case 'connected':
      // Leaving the DOM aborted the request or the retry timer: begin again rather than stay on
      // "Creating…" forever.
      return state.step === 'creating' || state.step === 'retrying' ? start(state, event) : stay(state);
    case 'loaded':
      return state.step === 'creating' && event.run === state.run ? present(state, event) : stay(state);
    case 'loadFailed':
      if (state.step !== 'creating' || event.run !== state.run) return stay(state);
      if (event.error instanceof ServerError && event.error.busyFor !== null) return busy({ ...state, now: event.now ?? state.now }, event.error, event.error.busyFor);
      return event.error instanceof ServerError && event.error.retryable ? retryLater(state, event.error) : fail(state, event.error);
    case 'environmentKnown':
      return state.step === 'linkOnly' && event.run === state.run ? offerPayLink(state, event.environment) : stay(state);
    case 'qrEncoderLoaded':
      return event.run === state.run ? drawQr(state, event.encode) : stay(state);
    case 'qrEncoderFailed':
      return stay(state, qrUnavailable(event.error)); // reported whichever checkout asked, as it always was
    case 'status':
      return state.step === 'following' ? askAtExpiry(onStatus(state, event.order)) : stay(state);
    case 'connection':
      return stay(state.step === 'following' ? { ...state, live: event.live } : state);
    case 'statusFailed':
      return state.step === 'following' ? fail(state, event.error) : stay(state);
    case 'linkClicked':
      return clickLink(state, event.allowedSchemes);
    case 'copied': {
      const offer = offerOf(state);
      return stay(offer ? withOffer(state, event.what ? { ...offer, copiedAmount: true } : { ...offer, copied: true }) : state);
    }
    case 'tick':
      return askAtExpiry(stay({ ...state, now: event.now }));
  }
}

function stay(state: SessionState, ...effects: Effect[]): Transition {
  return { state, effects };
}

function prepend(effects: Effect[], { state, effects: rest }: Transition): Transition {
  return { state, effects: [...effects, ...rest] };
}

function fire<K extends keyof MixpayEventMap>(name: K, detail: MixpayEventMap[K]): Effect {
  return { type: 'emit', name, detail } as Announcement;
}

function counters({ run, failures, now }: SessionState) {
  return { run, failures, now };
}

function withOffer(state: SessionState, offer: Offer): SessionState {
  return state.step === 'linkOnly' || state.step === 'following' ? { ...state, offer } : state;
}

function safe(url: string, allowedSchemes: string): boolean {
  return isSafeUrl(url, walletSchemes(allowedSchemes));
}

/** A fresh checkout from the attributes: a plain pay link without a server, else the server's. */
/**
 * Whether a click in `phase` starts a new checkout. `new-purchase` (default `unpaid`): after a
 * failed, expired or canceled order; `always`: after a paid one too; `never`: not after an order.
 */
export function buysAgain(phase: Phase, { newPurchase = 'unpaid' }: Setup): boolean {
  if (newPurchase === 'always' && /^(paid|refunded)$/.test(phase)) return true;
  return startsOver(phase) && !(newPurchase === 'never' && /^(expired|failed|canceled)$/.test(phase));
}

/** An order this element created (or was given) before, coming back: fetch it, show it, open nothing. */
function resume(state: SessionState, { setup, orderId }: Extract<SessionEvent, { type: 'resume' }>): Transition {
  const run = state.run + 1;
  return {
    state: { ...counters(state), run, step: 'creating', quiet: true },
    effects: [{ type: 'load', run, server: setup.server, product: '', orderId }],
  };
}

function retried({ state, effects }: Transition): Transition {
  return { state: state.step === 'creating' ? { ...state, retried: true } : state, effects };
}

/** The server refused the checkout for now: say so, count down, and try once more by itself. */
function busy(state: Extract<SessionState, { step: 'creating' }>, error: ServerError, delay: number): Transition {
  const auto = !state.retried;
  return {
    state: { ...counters(state), step: 'busy', until: state.now + delay, auto },
    effects: [
      fire('mixpay-error', { code: 'busy', message: error.message, serverCode: error.code }),
      ...(auto ? [{ type: 'retryLater', failures: state.failures, delay } as const] : []),
    ],
  };
}

function start(state: SessionState, { setup, traceId }: Intent): Transition {
  const fresh: SessionState = { step: 'idle', run: state.run + 1, failures: state.failures, now: state.now };
  const cancel: Effect = { type: 'cancelAll' };
  const { server, product, orderId } = setup;
  if (!server && setup.payeeId) return prepend([cancel], startPayLink(fresh, setup, traceId));
  if (!server || !(product || orderId)) {
    return prepend([cancel], fail(fresh, new Error('Set server and product (or order), or payee-id'), 'config'));
  }
  return {
    state: { ...fresh, step: 'creating' },
    effects: [cancel, { type: 'showDialog' }, { type: 'load', run: fresh.run, server, product, orderId }],
  };
}

function startPayLink(fresh: SessionState, setup: Setup, traceId: string | undefined): Transition {
  const { payeeId, quoteAmount, quoteAssetId, settlementAssetId, remark, payBase } = setup;
  let url: string;
  try {
    url = buildPayLink({ payeeId, quoteAmount, quoteAssetId, settlementAssetId, remark, traceId }, payBase);
  } catch (error) {
    return fail(fresh, error, 'config');
  }
  if (!safe(url, setup.allowedSchemes)) return refuse(fresh, url);
  return {
    state: { ...fresh, step: 'linkOnly', url, offer: null },
    effects: [{ type: 'showDialog' }, { type: 'detectEnvironment', run: fresh.run }],
  };
}

/** The checkout (or the order) has arrived: announce it, choose its link, follow it, offer the link. */
function present(state: SessionState, { order, endpoints, environment, allowedSchemes }: Loaded): Transition {
  const announced = announce(null, order).effects;
  const reached: SessionState = { ...state, failures: 0 };
  const choice = chooseLink(environment, order.links);
  if (!choice) return prepend(announced, fail(reached, new BadResponseError('the order has no link this device can open'), 'bad-response', order));
  const unsafe = [choice.url, choice.qrUrl ?? choice.url].find((url) => !safe(url, allowedSchemes));
  if (unsafe !== undefined) return prepend(announced, refuse(reached, unsafe, order));
  const next: SessionState = { ...counters(reached), step: 'following', order, offer: { choice, qr: null, copied: false }, live: true, expiryChecked: false };
  // An order="..." may already be paid, pending, expired...: show its state, open nothing. A
  // remembered order (quiet) is shown as it is: the customer has just come back from its link.
  const payable = order.status === 'NEW' || order.status === 'UNRESOLVED';
  const offered = payable ? offerLink(next.run, choice).filter((effect) => !('quiet' in state) || effect.type !== 'openLink') : [];
  return { state: next, effects: [...announced, { type: 'follow', endpoints, order }, ...offered] };
}

function offerPayLink(state: Extract<SessionState, { step: 'linkOnly' }>, environment: Environment): Transition {
  // A web link is all chooseLink needs to choose something.
  const choice = chooseLink(environment, { checkout_url: state.url, universal_url: state.url, deep_link: '' })!;
  return { state: { ...state, offer: { choice, qr: null, copied: false } }, effects: offerLink(state.run, choice) };
}

// Desktop and in-app browsers get a QR code; phones and wallets leave for the link at once.
function offerLink(run: number, choice: LinkChoice): Effect[] {
  if (!choice.showQr) return [{ type: 'openLink', kind: choice.kind, url: choice.url }];
  return choice.qrUrl ? [{ type: 'loadQrEncoder', run }] : [];
}

function drawQr(state: SessionState, encode: (text: string) => QrMatrix): Transition {
  const offer = offerOf(state);
  const url = offer?.choice.qrUrl;
  if (!offer || !url) return stay(state);
  try {
    return stay(withOffer(state, { ...offer, qr: encode(url) }));
  } catch (error) {
    return stay(state, qrUnavailable(error));
  }
}

// No QR code (chunk failed to load, link too long): the link and the copy button still work.
function qrUnavailable(error: unknown): Effect {
  return fire('mixpay-error', { code: 'network', message: `QR code unavailable: ${String(error)}` });
}

function onStatus(state: Following, next: OrderStatus): Transition {
  const { order, effects } = announce(state.order, next);
  return { state: { ...state, order, live: true }, effects };
}

/** Takes in a status and fires the events of a change: always `mixpay-status`, then the final one. */
function announce(known: OrderStatus | null, next: OrderStatus): { order: OrderStatus; effects: Effect[] } {
  // The status answers and events carry no title (and may carry no payee_name): keep what the
  // checkout answer said about the same order instead of blanking the dialog's lines.
  const order: OrderStatus = known && known.order_id === next.order_id
    ? { ...next, title: next.title ?? known.title ?? '', payee_name: next.payee_name ?? known.payee_name }
    : next;
  if (known?.status === order.status) return { order, effects: [] };
  const effects = [fire('mixpay-status', { order })];
  const { status } = order;
  if (status === 'PAID' || status === 'RESOLVED') effects.push(fire('mixpay-success', { order }));
  else if (status === 'FAILED' || status === 'CANCELED') effects.push(fire('mixpay-failed', { order, reason: order.failure_reason }));
  else if (status === 'EXPIRED') effects.push(fire('mixpay-expired', { order }));
  return { order, effects };
}

// The server decides when an order has expired: once the countdown reaches zero, ask it, once.
function askAtExpiry(transition: Transition): Transition {
  const { state, effects } = transition;
  if (state.step !== 'following' || state.order.status !== 'NEW' || !state.live || state.expiryChecked) return transition;
  const expires = state.order.expires_at_t;
  if (expires <= 0 || expires > state.now) return transition;
  return { state: { ...state, expiryChecked: true }, effects: [...effects, { type: 'checkStatus' }] };
}

/**
 * The customer clicked the offered link: the URL policy once more (the allowed schemes may have
 * changed since), then `mixpay-open`; the click's own default action does the opening.
 */
function clickLink(state: SessionState, allowedSchemes: string): Transition {
  const offer = offerOf(state);
  if (!offer) return stay(state);
  const { kind, url } = offer.choice;
  if (!safe(url, allowedSchemes)) return prepend([{ type: 'cancelClick' }], refuse(state, url));
  return stay(state, { type: 'openLink', kind, url });
}

function retryLater(state: SessionState, error: ServerError): Transition {
  const failures = state.failures + 1;
  return {
    state: { ...counters(state), failures, step: 'retrying' },
    effects: [fire('mixpay-error', { code: 'network', message: error.message, serverCode: error.code }), { type: 'retryLater', failures }],
  };
}

function fail(state: SessionState, error: unknown, code?: MixpayErrorCode, order = orderOf(state)): Transition {
  const message = error instanceof Error ? error.message : String(error);
  const serverCode = error instanceof ServerError ? error.code : undefined;
  const inferred: MixpayErrorCode = error instanceof BadResponseError || serverCode === 'BAD_RESPONSE' ? 'bad-response' : 'server';
  return {
    state: { ...counters(state), step: 'error', order, linkOnly: isLinkOnly(state), message },
    effects: [fire('mixpay-error', { code: code ?? inferred, message, ...(serverCode ? { serverCode } : {}) })],
  };
}

function refuse(state: SessionState, url: string, order = orderOf(state)): Transition {
  return {
    state: { ...counters(state), step: 'refused', order, linkOnly: isLinkOnly(state) },
    effects: [
      { type: 'stopFollowing' },
      fire('mixpay-error', { code: 'unsafe-url', message: 'Not https, http on localhost, or an allowed wallet scheme', url }),
    ],
  };
}
