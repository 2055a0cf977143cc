import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { createCheckout, fetchOrderStatus, orderEndpoints, type OrderEndpoints } from './checkout-api.ts';
import type { Environment } from './choose-link.ts';
import { dialogBody } from './dialog-view.ts';
import { detectEnvironment } from './environment.ts';
import { emit, type MixpayEventMap } from './events.ts';
import { directionOf } from './i18n/locale.ts';
import type { Strings } from './i18n/strings.ts';
import { BadResponseError, type OrderStatus } from './order-status.ts';
import { randomTraceId } from './pay-link.ts';
import type { Phase } from './phase.ts';
import { forgetOrder, purchaseKey, rememberOrder } from './remembered-order.ts';
import { nextRetryDelay } from './retry.ts';
import { reduce } from './session-machine.ts';
import {
  initialState, offerOf, orderOf, phaseOf, type Effect, type Intent, type SessionEvent, type SessionState, type Setup,
} from './session-state.ts';
import { dialogModel, localeOf, statusLine, type ViewHost } from './session-view.ts';
import { OrderStatusController } from './status-controller.ts';

export { dialogStyles } from './dialog.styles.ts';

/** What the session reads and calls on the element that hosts it; nothing else of the element. */
export interface SessionHost extends ReactiveControllerHost, EventTarget, Setup, ViewHost {
  readonly isConnected: boolean;
  /** Overrides environment detection. */
  readonly environment: Environment | null;
  /** The string table of `locale`, null until its chunk has loaded; `stringsLoaded` settles then. */
  readonly strings: Strings | null;
  readonly stringsLoaded: Promise<unknown>;
  /** The dialog this session renders, once it is in the host's shadow root. */
  dialog(): HTMLDialogElement | null;
  /** Moves focus to the pay button. */
  focus(): void;
  /** Leaves the page for a link that passed the URL policy and the `mixpay-open` event. */
  navigate(url: string): void;
}

/**
 * Everything behind the button, loaded on first interest. The state is session-state.ts and its
 * transitions session-machine.ts; this controller carries out their effects (requests, timers, the
 * status follower, the dialog, navigation), feeds what comes back in as events, and renders the
 * dialog (session-view.ts says what it shows).
 */
export class CheckoutSession implements ReactiveController {
  #state: SessionState = initialState(Date.now());
  #abort: AbortController | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  #environment: Promise<Environment> | null = null;
  #focusInDialog = false;
  readonly #status: OrderStatusController;

  constructor(private readonly host: SessionHost) {
    host.addController(this);
    this.#status = new OrderStatusController(host, {
      onStatus: (order) => this.#dispatch({ type: 'status', order }),
      onConnection: (state) => this.#dispatch({ type: 'connection', live: state === 'live' }),
      onFatal: (error) => this.#dispatch({ type: 'statusFailed', error }),
    });
    void this.#environmentNow().catch(() => undefined); // warm up while the customer decides
  }

  /** What the customer sees. */
  get phase(): Phase {
    return phaseOf(this.#state);
  }

  /** The order being paid, or null. */
  get order(): OrderStatus | null {
    return orderOf(this.#state);
  }

  hostConnected(): void {
    this.host.requestUpdate(); // restarts the countdown if it was running
    addEventListener('pageshow', this.#onPageShow);
    this.#dispatch({ type: 'connected', ...this.#intent() });
  }

  hostDisconnected(): void {
    removeEventListener('pageshow', this.#onPageShow);
    // What is in flight goes with the element; the state stays, and `connected` resumes from it.
    this.#abort?.abort();
    this.#stopRetry();
    this.#stopTicking();
  }

  hostUpdate(): void {
    const dialog = this.host.dialog();
    this.#focusInDialog = dialog?.contains(activeIn(dialog)) ?? false;
    // The countdown ticks once a second while the order awaits payment, and only then.
    const awaiting = /^(awaiting|busy)$/.test(this.phase) && this.host.isConnected;
    if (awaiting && !this.#ticker) {
      this.#ticker = setInterval(() => this.#dispatch({ type: 'tick', now: Date.now() }), 1000);
      this.#dispatch({ type: 'tick', now: Date.now() });
    } else if (!awaiting) {
      this.#stopTicking();
    }
  }

  hostUpdated(): void {
    // A new state can remove the focused control (the links go once paid): keep the keyboard
    // user inside the dialog, on its main action, instead of losing focus to the page.
    const dialog = this.host.dialog();
    if (this.#focusInDialog && dialog?.open && !dialog.contains(activeIn(dialog))) {
      (dialog.querySelector<HTMLElement>('.primary') ?? dialog.querySelector<HTMLElement>('.close'))?.focus();
    }
  }

  /** Starts a checkout, or shows the dialog again while one is under way. */
  open(): void {
    void this.host.stringsLoaded.then(() => this.#dispatch({ type: 'open', ...this.#intent() }));
  }

  close(): void {
    this.host.dialog()?.close();
  }

  /** Follows `orderId`, an order this element began before (or the order page's), instead of a fresh checkout. */
  resume(orderId: string): void {
    void this.host.stringsLoaded.then(() => this.#dispatch({ type: 'resume', orderId, ...this.#intent() }));
  }

  /** The status line under the button (a live region). */
  statusText(): string {
    const t = this.host.strings;
    return t ? statusLine(this.#state, t, this.host) : '';
  }

  renderDialog() {
    const t = this.host.strings;
    if (!t) return nothing; // open() waits for the strings
    const host = this.host;
    const body = dialogBody(dialogModel(this.#state, t, host), {
      openLink: (click) => this.#dispatch({ type: 'linkClicked', allowedSchemes: host.allowedSchemes }, click),
      copyLink: () => void this.#copyLink(),
      copyAmount: () => void this.#copy(dialogModel(this.#state, t, host).copyAmount, 'amount'),
      startOver: () => this.#dispatch({ type: 'startOver', ...this.#intent() }),
      retry: () => this.#dispatch({ type: 'retry', ...this.#intent() }),
      close: () => this.close(),
    });
    const dir = directionOf(host.locale ?? 'en');
    if (host.mode === 'page') return html`<section part="dialog" class="page" aria-labelledby="title" dir=${dir} lang=${localeOf(host)}>${body}</section>`;
    return html`<dialog part="dialog" aria-labelledby="title" dir=${dir} lang=${localeOf(host)}
      @close=${this.#onDialogClose}>${body}</dialog>`;
  }

  // The attributes are read when the event happens, as a merchant's page may change them at any time.
  #intent(): Intent {
    return { setup: this.host, traceId: randomTraceId() };
  }

  /** Moves the machine on and carries out its effects; `click` is the click that caused the event. */
  #dispatch(event: SessionEvent, click?: Event): void {
    const { state, effects } = reduce(this.#state, event);
    if (state !== this.#state) {
      this.#state = state;
      this.host.requestUpdate();
    }
    for (const effect of effects) this.#perform(effect, click);
  }

  #perform(effect: Effect, click: Event | undefined): void {
    switch (effect.type) {
      case 'emit':
        // An order that failed or expired is no longer the purchase's: a second button, or coming back, starts afresh.
        if (effect.name === 'mixpay-failed' || effect.name === 'mixpay-expired') forgetOrder(this.#purchase());
        emit<keyof MixpayEventMap>(this.host, effect.name, effect.detail);
        return;
      case 'cancelAll':
        this.#abort?.abort();
        this.#stopRetry();
        this.#status.stop();
        return;
      case 'showDialog':
        void this.#showDialog();
        return;
      case 'load':
        void this.#load(effect);
        return;
      case 'detectEnvironment':
        void this.#environmentNow().then((environment) => this.#dispatch({ type: 'environmentKnown', run: effect.run, environment }));
        return;
      case 'loadQrEncoder':
        void import('./qr-matrix.ts').then(
          ({ qrMatrix }) => this.#dispatch({ type: 'qrEncoderLoaded', run: effect.run, encode: qrMatrix }),
          (error: unknown) => this.#dispatch({ type: 'qrEncoderFailed', error }),
        );
        return;
      case 'follow': {
        // Remembered for this tab, so that coming back follows this order rather than a new one.
        const { order_id } = effect.order;
        rememberOrder(this.#purchase(), order_id);
        emit(this.host, 'mixpay-order', { orderId: order_id });
        this.#status.follow(effect.endpoints, effect.order);
        return;
      }
      case 'checkStatus':
        this.#status.checkNow();
        return;
      case 'stopFollowing':
        this.#status.stop();
        return;
      case 'openLink':
        // For a click on the dialog's link, the link's own default action does the opening (a new
        // tab needs the click's user gesture), so only the page's veto cancels the click.
        if (!emit(this.host, 'mixpay-open', { kind: effect.kind, url: effect.url }, { cancelable: true })) click?.preventDefault();
        else if (!click) this.host.navigate(effect.url);
        return;
      case 'cancelClick':
        click?.preventDefault();
        return;
      case 'retryLater':
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#dispatch({ type: 'retryDue', ...this.#intent() });
        }, effect.delay ?? nextRetryDelay(effect.failures));
        return;
      default:
        effect satisfies never; // each effect of session-state.ts has its case above
    }
  }

  async #load({ run, server, product, orderId }: Extract<Effect, { type: 'load' }>): Promise<void> {
    const abort = new AbortController();
    this.#abort = abort;
    try {
      const environment = this.#environmentNow();
      let order: OrderStatus;
      let endpoints: OrderEndpoints;
      if (product) {
        ({ order, ...endpoints } = await createCheckout(server, product, abort.signal));
      } else {
        endpoints = orderEndpoints(server, orderId);
        const answer = await fetchOrderStatus(endpoints.statusUrl, null, abort.signal);
        if (!answer) throw new BadResponseError('304 to a first request'); // we sent no ETag
        order = answer.order;
      }
      const loaded = { type: 'loaded', run, order, endpoints, environment: await environment, allowedSchemes: this.host.allowedSchemes } as const;
      if (!abort.signal.aborted) this.#dispatch(loaded);
    } catch (error) {
      if (!abort.signal.aborted) this.#dispatch({ type: 'loadFailed', run, error, now: Date.now() });
    }
  }

  #purchase(): string {
    return purchaseKey(this.host.server, this.host.product, this.host.orderId);
  }

  #environmentNow(): Promise<Environment> {
    if (this.host.environment) return Promise.resolve(this.host.environment);
    return (this.#environment ??= detectEnvironment());
  }

  #stopRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #stopTicking(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  async #showDialog(): Promise<void> {
    await this.host.updateComplete; // the dialog is rendered by the host
    const dialog = this.host.dialog();
    if (dialog && !dialog.open && this.host.isConnected) dialog.showModal();
  }

  // Restored from the back-forward cache: the status may have moved on while the page slept.
  #onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted) this.#status.checkNow();
  };

  #onDialogClose = (): void => {
    this.host.focus();
    emit(this.host, 'mixpay-close', {});
  };

  async #copyLink(): Promise<void> {
    const choice = offerOf(this.#state)?.choice;
    const url = choice?.qrUrl ?? choice?.url;
    if (url) await this.#copy(url);
  }

  async #copy(text: string, what?: 'amount'): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.#dispatch(what ? { type: 'copied', what } : { type: 'copied' });
    } catch {
      // Clipboard refused (no permission, insecure page): select the text for the customer to copy.
      this.host.dialog()?.querySelector<HTMLInputElement>('#link')?.select();
    }
  }
}

/** The focused element in the tree (the host's shadow root) that holds `node`. */
function activeIn(node: Node): Element | null {
  return (node.getRootNode() as ShadowRoot | Document).activeElement;
}
