// The session's reducer as plain data: no element, no fixture, no fetch, no timers. It runs in the
// widget suite beside the element tests; nothing in it needs the browser.
import { expect } from '@open-wc/testing';
import { ServerError } from '../../widget/checkout-api.ts';
import type { Environment } from '../../widget/choose-link.ts';
import { BadResponseError, type OrderStatus } from '../../widget/order-status.ts';
import type { QrMatrix } from '../../widget/qr-matrix.ts';
import { reduce } from '../../widget/session-machine.ts';
import {
  initialState, isLinkOnly, offerOf, orderOf, phaseOf, type Effect, type SessionEvent, type SessionState, type Setup,
} from '../../widget/session-state.ts';

const T0 = 1_700_000_000_000;
const DESKTOP: Environment = { form: 'desktop', walletScheme: null, inAppBrowser: null };
const PHONE: Environment = { form: 'phone', walletScheme: null, inAppBrowser: null };
const ENDPOINTS = { statusUrl: 'https://shop.example/v1/orders/o1/status', eventsUrl: 'https://shop.example/v1/orders/o1/events' };
const LINKS = { checkout_url: 'https://mixpay.me/code/c1', universal_url: 'https://mixpay.me/u/c1', deep_link: '' };
const QR: QrMatrix = { size: 21, dark: new Uint8Array(441) };

const SETUP: Setup = {
  server: 'https://shop.example', product: 'coffee', orderId: '', payeeId: '', quoteAmount: '', quoteAssetId: '',
  settlementAssetId: '', remark: '', payBase: 'https://mixpay.me/pay', allowedSchemes: '',
};
const TIP: Setup = { ...SETUP, server: '', product: '', payeeId: 'a0d7791408776b47eb1dd3f94ed15d6a', quoteAmount: '5', quoteAssetId: 'usd' };

function order(change: Partial<OrderStatus> = {}): OrderStatus {
  return {
    order_id: 'o1', status: 'NEW', title: 'Coffee beans', price_amount: '9.99', price_currency: 'USD', pay_amount: null,
    pay_currency: null, amount_due: null, payee_name: 'Blue Bottle', failure_reason: null, expires_at: new Date(T0 + 900_000).toISOString(),
    expires_at_t: T0 + 900_000, updated_at: new Date(T0).toISOString(), version: 1, links: { ...LINKS },
    confirmations: null, required_confirms: null, transactions: [], ...change,
  };
}

/** Feeds `events` in turn; the last state and every effect on the way, in order. */
function play(state: SessionState, ...events: SessionEvent[]): { state: SessionState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const event of events) {
    const next = reduce(state, event);
    state = next.state;
    effects.push(...next.effects);
  }
  return { state, effects };
}

/** Effects by name: the event name for `emit`, else the effect's type. */
const names = (effects: Effect[]) => effects.map((effect) => (effect.type === 'emit' ? effect.name : effect.type));
const errors = (effects: Effect[]) => effects.flatMap((effect) => (effect.type === 'emit' && effect.name === 'mixpay-error' ? [effect.detail] : []));
const loaded = (run: number, o: OrderStatus = order(), environment = DESKTOP, allowedSchemes = ''): SessionEvent =>
  ({ type: 'loaded', run, order: o, endpoints: ENDPOINTS, environment, allowedSchemes });

const idle = initialState(T0);
/** A checkout created on a desktop, followed, its QR code not drawn yet. */
const awaiting = play(idle, { type: 'open', setup: SETUP }, loaded(1)).state;

describe('session machine: starting a checkout', () => {
  it('open: cancels what ran, shows the dialog while the checkout is created', () => {
    const { state, effects } = reduce(idle, { type: 'open', setup: SETUP });
    expect(phaseOf(state)).to.equal('creating');
    expect(effects).to.deep.equal([
      { type: 'cancelAll' },
      { type: 'showDialog' },
      { type: 'load', run: 1, server: 'https://shop.example', product: 'coffee', orderId: '' },
    ]);
  });

  it('open while a checkout is under way only shows its dialog again', () => {
    const creating = reduce(idle, { type: 'open', setup: SETUP }).state;
    expect(reduce(creating, { type: 'open', setup: SETUP })).to.deep.equal({ state: creating, effects: [{ type: 'showDialog' }] });
    expect(reduce(awaiting, { type: 'open', setup: SETUP })).to.deep.equal({ state: awaiting, effects: [{ type: 'showDialog' }] });
  });

  it('order="...": fetches that order instead of creating one', () => {
    const { effects } = reduce(idle, { type: 'open', setup: { ...SETUP, product: '', orderId: 'o9' } });
    expect(effects.at(-1)).to.deep.equal({ type: 'load', run: 1, server: 'https://shop.example', product: '', orderId: 'o9' });
  });

  it('without server or payee-id: a config error, and no dialog', () => {
    const { state, effects } = reduce(idle, { type: 'open', setup: { ...SETUP, server: '' } });
    expect(phaseOf(state)).to.equal('error');
    expect(names(effects)).to.deep.equal(['cancelAll', 'mixpay-error']);
    expect(errors(effects)[0]).to.deep.equal({ code: 'config', message: 'Set server and product (or order), or payee-id' });
  });

  it('the phases after which a click starts over: expired, failed, canceled, error; not paid', () => {
    for (const status of ['EXPIRED', 'FAILED', 'CANCELED'] as const) {
      const over = play(awaiting, { type: 'status', order: order({ status, version: 2 }) }).state;
      expect(names(reduce(over, { type: 'open', setup: SETUP }).effects), status).to.deep.equal(['cancelAll', 'showDialog', 'load']);
    }
    const error = reduce(awaiting, { type: 'statusFailed', error: new ServerError('No such order.', 'ORDER_NOT_FOUND') }).state;
    expect(names(reduce(error, { type: 'open', setup: SETUP }).effects)).to.deep.equal(['cancelAll', 'showDialog', 'load']);
    const paid = play(awaiting, { type: 'status', order: order({ status: 'PAID', version: 2 }) }).state;
    expect(reduce(paid, { type: 'open', setup: SETUP }).effects).to.deep.equal([{ type: 'showDialog' }]);
  });
});

describe('session machine: the checkout answer', () => {
  it('on a desktop: announces the order, follows it, and loads the QR encoder', () => {
    const creating = reduce(idle, { type: 'open', setup: SETUP }).state;
    const { state, effects } = reduce(creating, loaded(1));
    expect(phaseOf(state)).to.equal('awaiting');
    expect(orderOf(state)).to.deep.equal(order());
    expect(offerOf(state)).to.deep.include({ qr: null, copied: false });
    expect(offerOf(state)!.choice).to.deep.include({ kind: 'checkout', url: LINKS.checkout_url, showQr: true, qrUrl: LINKS.universal_url });
    expect(effects).to.deep.equal([
      { type: 'emit', name: 'mixpay-status', detail: { order: order() } },
      { type: 'follow', endpoints: ENDPOINTS, order: order() },
      { type: 'loadQrEncoder', run: 1 },
    ]);
  });

  it('on a phone: opens the link at once', () => {
    const { effects } = play(idle, { type: 'open', setup: SETUP }, loaded(1, order(), PHONE));
    expect(effects.at(-1)).to.deep.equal({ type: 'openLink', kind: 'universal', url: LINKS.universal_url });
  });

  it('an order that is already paid: announced as a success and followed; nothing is opened', () => {
    const paid = order({ status: 'PAID' });
    const { state, effects } = play(idle, { type: 'open', setup: SETUP }, loaded(1, paid, PHONE));
    expect(phaseOf(state)).to.equal('paid');
    expect(names(effects)).to.deep.equal(['cancelAll', 'showDialog', 'load', 'mixpay-status', 'mixpay-success', 'follow']);
  });

  it('no link this device can open: a bad-response error that keeps the order', () => {
    const deepOnly = order({ links: { checkout_url: '', universal_url: '', deep_link: 'mixin://pay?x=1' } });
    const { state, effects } = play(reduce(idle, { type: 'open', setup: SETUP }).state, loaded(1, deepOnly));
    expect(phaseOf(state)).to.equal('error');
    expect(orderOf(state)).to.deep.equal(deepOnly);
    expect(names(effects)).to.deep.equal(['mixpay-status', 'mixpay-error']);
    expect(errors(effects)[0]).to.deep.equal({ code: 'bad-response', message: 'the order has no link this device can open' });
  });

  it('a javascript: link is refused: nothing followed, nothing opened', () => {
    const hostile = order({ links: { checkout_url: 'javascript:alert(1)', universal_url: '', deep_link: '' } });
    const { state, effects } = play(reduce(idle, { type: 'open', setup: SETUP }).state, loaded(1, hostile));
    expect(state.step).to.equal('refused');
    expect(phaseOf(state)).to.equal('error');
    expect(names(effects)).to.deep.equal(['mixpay-status', 'stopFollowing', 'mixpay-error']);
    expect(errors(effects)[0]).to.deep.include({ code: 'unsafe-url', url: 'javascript:alert(1)' });
  });

  it('a refusal from the server: its reason and code; Retry starts over', () => {
    const error = new ServerError('No product "coffee".', 'PRODUCT_NOT_FOUND');
    const { state, effects } = play(idle, { type: 'open', setup: SETUP }, { type: 'loadFailed', run: 1, error });
    expect(state).to.deep.include({ step: 'error', message: 'No product "coffee".', order: null });
    expect(errors(effects)).to.deep.equal([{ code: 'server', message: 'No product "coffee".', serverCode: 'PRODUCT_NOT_FOUND' }]);
    expect(names(reduce(state, { type: 'retry', setup: SETUP }).effects)).to.deep.equal(['cancelAll', 'showDialog', 'load']);
  });

  it('an answer that breaks the contract is a bad-response error', () => {
    for (const error of [new BadResponseError('no links'), new ServerError('Bad answer: no links', 'BAD_RESPONSE')]) {
      const { effects } = play(idle, { type: 'open', setup: SETUP }, { type: 'loadFailed', run: 1, error });
      expect(errors(effects)[0]!.code).to.equal('bad-response');
    }
  });

  it('an unreachable server: retries with a growing back-off, and the count starts again after success', () => {
    const offline = new ServerError('Payment server unreachable', 'NETWORK', true);
    const first = play(idle, { type: 'open', setup: SETUP }, { type: 'loadFailed', run: 1, error: offline });
    expect(phaseOf(first.state)).to.equal('unreachable');
    expect(first.effects.slice(-2)).to.deep.equal([
      { type: 'emit', name: 'mixpay-error', detail: { code: 'network', message: 'Payment server unreachable', serverCode: 'NETWORK' } },
      { type: 'retryLater', failures: 1 },
    ]);
    const second = play(first.state, { type: 'retryDue', setup: SETUP }, { type: 'loadFailed', run: 2, error: offline });
    expect(second.effects.at(-1)).to.deep.equal({ type: 'retryLater', failures: 2 });
    const back = play(second.state, { type: 'retryDue', setup: SETUP }, loaded(3));
    expect(phaseOf(back.state)).to.equal('awaiting');
    expect(back.state.failures).to.equal(0);
  });

  it('an answer for an older checkout is dropped, as is a due retry that no longer applies', () => {
    const offline = new ServerError('Payment server unreachable', 'NETWORK', true);
    const retried = play(idle, { type: 'open', setup: SETUP }, { type: 'loadFailed', run: 1, error: offline }, { type: 'retryDue', setup: SETUP }).state;
    expect(reduce(retried, loaded(1))).to.deep.equal({ state: retried, effects: [] });
    expect(reduce(retried, { type: 'loadFailed', run: 1, error: offline })).to.deep.equal({ state: retried, effects: [] });
    expect(phaseOf(reduce(retried, loaded(2)).state)).to.equal('awaiting');
    expect(reduce(awaiting, { type: 'retryDue', setup: SETUP })).to.deep.equal({ state: awaiting, effects: [] });
  });

  it('back in the DOM after a start was cut short: starts again; otherwise nothing', () => {
    const creating = reduce(idle, { type: 'open', setup: SETUP }).state;
    const resumed = reduce(creating, { type: 'connected', setup: SETUP });
    expect(resumed.state.run).to.equal(2);
    expect(names(resumed.effects)).to.deep.equal(['cancelAll', 'showDialog', 'load']);
    expect(reduce(idle, { type: 'connected', setup: SETUP })).to.deep.equal({ state: idle, effects: [] });
    expect(reduce(awaiting, { type: 'connected', setup: SETUP })).to.deep.equal({ state: awaiting, effects: [] });
  });
});

describe('session machine: following the order', () => {
  it('keeps the title and payee of the checkout answer, which status updates lack', () => {
    const { state } = reduce(awaiting, { type: 'status', order: order({ status: 'PENDING', version: 2, title: undefined, payee_name: null }) });
    expect(orderOf(state)).to.deep.include({ status: 'PENDING', title: 'Coffee beans', payee_name: 'Blue Bottle' });
  });

  it('announces each change once: pending, paid less, then paid and its success', () => {
    const { state, effects } = play(awaiting,
      { type: 'status', order: order({ status: 'PENDING', version: 2 }) },
      { type: 'status', order: order({ status: 'PENDING', version: 3 }) },
      { type: 'status', order: order({ status: 'UNRESOLVED', version: 4, amount_due: '2.50' }) },
      { type: 'status', order: order({ status: 'PAID', version: 5 }) });
    expect(names(effects)).to.deep.equal(['mixpay-status', 'mixpay-status', 'mixpay-status', 'mixpay-success']);
    expect(phaseOf(state)).to.equal('paid');
  });

  it('fires mixpay-failed with the reason, and mixpay-expired', () => {
    const failed = reduce(awaiting, { type: 'status', order: order({ status: 'FAILED', version: 2, failure_reason: 'Wrong asset' }) });
    expect(failed.effects[1]).to.deep.include({ name: 'mixpay-failed' });
    expect((failed.effects[1] as { detail: { reason: string } }).detail.reason).to.equal('Wrong asset');
    expect(names(reduce(awaiting, { type: 'status', order: order({ status: 'EXPIRED', version: 2 }) }).effects)).to.deep.equal(['mixpay-status', 'mixpay-expired']);
  });

  it('the customer sees each status under its phase name', () => {
    const phases = (['NEW', 'PENDING', 'UNRESOLVED', 'PAID', 'RESOLVED', 'FAILED', 'EXPIRED', 'CANCELED', 'REFUND_PENDING', 'REFUNDED'] as const)
      .map((status) => phaseOf(reduce(awaiting, { type: 'status', order: order({ status, version: 2 }) }).state));
    expect(phases).to.deep.equal(['awaiting', 'pending', 'paidLess', 'paid', 'paid', 'failed', 'expired', 'canceled', 'refundPending', 'refunded']);
  });

  it('a lost connection is "unreachable" with the link still offered; Retry asks at once; a status is live again', () => {
    const lost = reduce(awaiting, { type: 'connection', live: false }).state;
    expect(phaseOf(lost)).to.equal('unreachable');
    expect(offerOf(lost)).to.deep.equal(offerOf(awaiting));
    expect(reduce(lost, { type: 'retry', setup: SETUP }).effects).to.deep.equal([{ type: 'checkStatus' }]);
    expect(phaseOf(reduce(lost, { type: 'connection', live: true }).state)).to.equal('awaiting');
    expect(phaseOf(reduce(lost, { type: 'status', order: order({ status: 'PENDING', version: 2 }) }).state)).to.equal('pending');
  });

  it('a failure retrying will not cure: an error that keeps the order; Retry starts a new checkout', () => {
    const { state, effects } = reduce(awaiting, { type: 'statusFailed', error: new ServerError('No such order.', 'ORDER_NOT_FOUND') });
    expect(phaseOf(state)).to.equal('error');
    expect(orderOf(state)).to.deep.equal(order());
    expect(errors(effects)).to.deep.equal([{ code: 'server', message: 'No such order.', serverCode: 'ORDER_NOT_FOUND' }]);
    const again = reduce(state, { type: 'retry', setup: SETUP });
    expect(again.state).to.deep.equal({ step: 'creating', run: 2, failures: 0, now: T0 });
  });

  it('asks the server once when the countdown reaches zero, and only while awaiting payment', () => {
    const expires = order().expires_at_t;
    expect(reduce(awaiting, { type: 'tick', now: expires - 1 }).effects).to.deep.equal([]);
    const due = play(awaiting, { type: 'tick', now: expires }, { type: 'tick', now: expires + 1000 });
    expect(due.effects).to.deep.equal([{ type: 'checkStatus' }]);
    expect(due.state.now).to.equal(expires + 1000);
    const pending = reduce(awaiting, { type: 'status', order: order({ status: 'PENDING', version: 2 }) }).state;
    expect(reduce(pending, { type: 'tick', now: expires }).effects).to.deep.equal([]);
    const noExpiry = play(idle, { type: 'open', setup: SETUP }, loaded(1, order({ expires_at_t: 0 }))).state;
    expect(reduce(noExpiry, { type: 'tick', now: expires }).effects).to.deep.equal([]);
  });

  it('a status that arrives after the expiry time is checked at once', () => {
    const late = reduce(awaiting, { type: 'tick', now: T0 + 899_000 }).state;
    const moved = reduce(late, { type: 'status', order: order({ status: 'NEW', version: 2, expires_at_t: T0 + 1000 }) });
    expect(moved.effects).to.deep.equal([{ type: 'checkStatus' }]);
  });
});

describe('session machine: the offered link', () => {
  it('draws the QR code of the mobile link once its encoder loads; a stale encoder is dropped', () => {
    const seen: string[] = [];
    const encode = (text: string) => (seen.push(text), QR);
    expect(reduce(awaiting, { type: 'qrEncoderLoaded', run: 0, encode })).to.deep.equal({ state: awaiting, effects: [] });
    const { state } = reduce(awaiting, { type: 'qrEncoderLoaded', run: 1, encode });
    expect(offerOf(state)!.qr).to.equal(QR);
    expect(seen).to.deep.equal([LINKS.universal_url]);
  });

  it('no QR code (encoder failed or link too long): a network error, the link stays', () => {
    const tooLong = reduce(awaiting, { type: 'qrEncoderLoaded', run: 1, encode: () => { throw new Error('too long'); } });
    expect(tooLong.state).to.equal(awaiting);
    expect(errors(tooLong.effects)).to.deep.equal([{ code: 'network', message: 'QR code unavailable: Error: too long' }]);
    expect(errors(reduce(awaiting, { type: 'qrEncoderFailed', error: 'chunk' }).effects)[0]!.message).to.equal('QR code unavailable: chunk');
  });

  it('a click on the link announces it; copying marks it copied', () => {
    expect(reduce(awaiting, { type: 'linkClicked', allowedSchemes: '' }).effects)
      .to.deep.equal([{ type: 'openLink', kind: 'checkout', url: LINKS.checkout_url }]);
    expect(offerOf(reduce(awaiting, { type: 'copied' }).state)!.copied).to.equal(true);
  });

  it('a click on a link the URL policy no longer allows is cancelled and refused', () => {
    const wallet: Environment = { form: 'phone', walletScheme: 'mywallet:', inAppBrowser: null };
    const deep = order({ links: { ...LINKS, deep_link: 'mywallet://pay?x=1' } });
    const offered = play(idle, { type: 'open', setup: SETUP }, loaded(1, deep, wallet, 'mywallet')).state;
    expect(offerOf(offered)!.choice.url).to.equal('mywallet://pay?x=1');
    const { state, effects } = reduce(offered, { type: 'linkClicked', allowedSchemes: '' });
    expect(state.step).to.equal('refused');
    expect(names(effects)).to.deep.equal(['cancelClick', 'stopFollowing', 'mixpay-error']);
  });
});

describe('session machine: a plain pay link (no server)', () => {
  it('builds the link with the trace id, shows the dialog, then finds out where the page runs', () => {
    const { state, effects } = reduce(idle, { type: 'open', setup: TIP, traceId: 't-1' });
    expect(phaseOf(state)).to.equal('linkOnly');
    expect(isLinkOnly(state)).to.equal(true);
    expect(state).to.deep.include({ url: 'https://mixpay.me/pay?payeeId=a0d7791408776b47eb1dd3f94ed15d6a&quoteAssetId=usd&quoteAmount=5&traceId=t-1' });
    expect(effects).to.deep.equal([{ type: 'cancelAll' }, { type: 'showDialog' }, { type: 'detectEnvironment', run: 1 }]);
  });

  it('a desktop gets a QR code, a phone goes to the link; a click opens a fresh one', () => {
    const started = reduce(idle, { type: 'open', setup: TIP }).state;
    expect(reduce(started, { type: 'environmentKnown', run: 1, environment: DESKTOP }).effects).to.deep.equal([{ type: 'loadQrEncoder', run: 1 }]);
    const phone = reduce(started, { type: 'environmentKnown', run: 1, environment: PHONE });
    expect(phone.effects).to.deep.equal([{ type: 'openLink', kind: 'universal', url: 'https://mixpay.me/pay?payeeId=a0d7791408776b47eb1dd3f94ed15d6a&quoteAssetId=usd&quoteAmount=5' }]);
    expect(reduce(started, { type: 'environmentKnown', run: 0, environment: PHONE }).effects).to.deep.equal([]);
    expect(names(reduce(phone.state, { type: 'open', setup: TIP }).effects)).to.deep.equal(['cancelAll', 'showDialog', 'detectEnvironment']);
  });

  it('a malformed amount is a config error; a pay-base outside the URL policy is refused', () => {
    expect(errors(reduce(idle, { type: 'open', setup: { ...TIP, quoteAmount: '5,00' } }).effects)[0]!.code).to.equal('config');
    const refused = reduce(idle, { type: 'open', setup: { ...TIP, payBase: 'javascript:alert(1)//' } });
    expect(refused.state.step).to.equal('refused');
    expect(errors(refused.effects)[0]!.code).to.equal('unsafe-url');
  });
});

describe('session machine: coming back, expiry in the customer\'s time, a busy server', () => {
  it('resume: fetches the remembered order quietly; on a phone nothing opens by itself', () => {
    const { state, effects } = reduce(idle, { type: 'resume', orderId: 'o1', setup: SETUP });
    expect(state).to.deep.equal({ step: 'creating', quiet: true, run: 1, failures: 0, now: T0 });
    expect(effects).to.deep.equal([{ type: 'load', run: 1, server: SETUP.server, product: '', orderId: 'o1' }]);
    const shown = reduce(state, loaded(1, order(), PHONE));
    expect(phaseOf(shown.state)).to.equal('awaiting');
    expect(names(shown.effects)).to.deep.equal(['mixpay-status', 'follow']);
    expect(reduce(awaiting, { type: 'resume', orderId: 'o2', setup: SETUP }).effects).to.deep.equal([]);
  });

  it('new-purchase: after paid only with "always"; never after an order with "never"', () => {
    const paid = reduce(awaiting, { type: 'status', order: order({ status: 'PAID', version: 2 }) }).state;
    expect(names(reduce(paid, { type: 'open', setup: SETUP }).effects)).to.deep.equal(['showDialog']);
    expect(names(reduce(paid, { type: 'open', setup: { ...SETUP, newPurchase: 'always' } }).effects)).to.include('load');
    const expired = reduce(awaiting, { type: 'status', order: order({ status: 'EXPIRED', version: 2 }) }).state;
    expect(names(reduce(expired, { type: 'open', setup: SETUP }).effects)).to.include('load');
    expect(names(reduce(expired, { type: 'open', setup: { ...SETUP, newPurchase: 'never' } }).effects)).to.deep.equal(['showDialog']);
  });

  it('at 0:00 the order is expired for the customer, before the server says so; a late payment still shows', () => {
    const expires = order().expires_at_t;
    const zero = reduce(awaiting, { type: 'tick', now: expires }).state;
    expect(phaseOf(zero)).to.equal('expired');
    expect(names(reduce(zero, { type: 'open', setup: SETUP }).effects)).to.include('load');
    expect(phaseOf(reduce(zero, { type: 'status', order: order({ status: 'PENDING', version: 2 }) }).state)).to.equal('pending');
  });

  it('busy: a refusal with a wait counts down, retries once by itself, then waits for the customer', () => {
    const refused = new ServerError('busy', 'TOO_MANY_REQUESTS', true, 5000);
    const first = play(idle, { type: 'open', setup: SETUP }, { type: 'loadFailed', run: 1, error: refused, now: T0 + 10 });
    expect(phaseOf(first.state)).to.equal('busy');
    expect(first.state).to.deep.include({ until: T0 + 5010, auto: true });
    expect(errors(first.effects)).to.deep.equal([{ code: 'busy', message: 'busy', serverCode: 'TOO_MANY_REQUESTS' }]);
    expect(first.effects.at(-1)).to.deep.equal({ type: 'retryLater', failures: 0, delay: 5000 });
    const again = play(first.state, { type: 'retryDue', setup: SETUP }, { type: 'loadFailed', run: 2, error: refused });
    expect(phaseOf(again.state)).to.equal('busy');
    expect(again.state).to.deep.include({ auto: false });
    expect(names(again.effects)).not.to.include('retryLater');
    expect(names(reduce(again.state, { type: 'retry', setup: SETUP }).effects)).to.include('load');
  });
});
