import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { createCheckout, fetchOrderStatus, orderEndpoints, ServerError, type OrderEndpoints } from './checkout-api.ts';
import { chooseLink, type Environment, type LinkChoice, type LinkKind } from './choose-link.ts';
import { dialogBody, statusText } from './dialog-view.ts';
import { detectEnvironment } from './environment.ts';
import { emit, type MixpayErrorCode } from './events.ts';
import { formatAmount, formatCountdown } from './format.ts';
import { directionOf, type Locale } from './i18n/locale.ts';
import type { Strings } from './i18n/strings.ts';
import { BadResponseError, type OrderStatus } from './order-status.ts';
import { buildPayLink, randomTraceId } from './pay-link.ts';
import { orderPhase, startsOver, type Phase } from './phase.ts';
import type { QrMatrix } from './qr-matrix.ts';
import { nextRetryDelay } from './retry.ts';
import { isSafeUrl, walletSchemes } from './safe-url.ts';
import { OrderStatusController } from './status-controller.ts';

export { dialogStyles } from './dialog.styles.ts';

/** What the session reads and calls on the element that hosts it; nothing else of the element. */
export interface SessionHost extends ReactiveControllerHost, EventTarget {
  readonly isConnected: boolean;
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
  /** Payee shown when the server names none. */
  readonly payeeName: string;
  /** Overrides environment detection. */
  readonly environment: Environment | null;
  readonly locale: Locale | null;
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
 * Everything behind the button, loaded on first interest: creating the checkout, choosing and
 * opening the link, the dialog, and following the status. State lives here; the host renders.
 */
export class CheckoutSession implements ReactiveController {
  /** The order being paid, or null. */
  order: OrderStatus | null = null;
  /** True while the checkout is being created. */
  busy = false;

  #choice: LinkChoice | null = null;
  #qr: QrMatrix | null = null;
  #unreachable = false;
  #error: string | null = null;
  #linkOnly = false;
  #copied = false;
  #refused = false;
  #run = 0;
  #abort: AbortController | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #expiryChecked = false;
  #focusInDialog = false;
  /** The checkout's creation (or its retry) was cut short by leaving the DOM: resume on return. */
  #interrupted = false;
  #environment: Promise<Environment> | null = null;
  #now = Date.now();
  #ticker: ReturnType<typeof setInterval> | undefined;
  readonly #status: OrderStatusController;

  constructor(private readonly host: SessionHost) {
    host.addController(this);
    this.#status = new OrderStatusController(host, {
      onStatus: (order) => this.#onStatus(order),
      onConnection: (state) => this.#set(() => (this.#unreachable = state === 'retrying')),
      onFatal: (error) => this.#fail(error),
    });
    void this.#environmentNow().catch(() => undefined); // warm up while the customer decides
  }

  hostUpdate(): void {
    const dialog = this.host.dialog();
    this.#focusInDialog = dialog?.contains(activeIn(dialog)) ?? false;
    // The countdown ticks once a second while the order awaits payment, and only then.
    const awaiting = this.#phase() === 'awaiting' && this.order !== null && this.host.isConnected;
    if (awaiting && !this.#ticker) {
      this.#now = Date.now();
      this.#ticker = setInterval(() => {
        this.#now = Date.now();
        this.host.requestUpdate();
      }, 1000);
    } else if (!awaiting) {
      this.#stopTicking();
    }
    if (awaiting && !this.#expiryChecked && this.order!.expires_at_t > 0 && this.order!.expires_at_t <= this.#now) {
      this.#expiryChecked = true; // the server decides when it is expired: ask it once, now
      this.#status.checkNow();
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

  hostConnected(): void {
    this.host.requestUpdate(); // restarts the countdown if it was running
    if (this.#interrupted) {
      // Moved in the DOM (a framework re-parenting it) while creating or retrying: start again
      // rather than stay on "Creating…" forever.
      this.#interrupted = false;
      void this.#start();
    }
  }

  hostDisconnected(): void {
    this.#interrupted = this.busy || this.#retryTimer !== undefined;
    this.#abort?.abort();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#stopTicking();
  }

  #stopTicking(): void {
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /** Starts a checkout, or shows the dialog again while one is under way. */
  open(): void {
    void this.host.stringsLoaded.then(() => (startsOver(this.#phase()) ? this.#start() : this.#showDialog()));
  }

  close(): void {
    this.host.dialog()?.close();
  }

  /** The status line under the button (a live region). */
  statusText(): string {
    const order = this.order;
    const t = this.host.strings;
    if (!t) return '';
    if (this.#refused) return t.unsafeLink;
    // amount_due is counted in the asset paid with (e.g. USDT), not in the price currency.
    const due = order?.amount_due ? formatAmount(order.amount_due, order.pay_currency ?? order.price_currency, this.#localeTag()) : '';
    return statusText(t, this.#phase(), { due, reason: order?.failure_reason ?? null, error: this.#error });
  }

  renderDialog() {
    const t = this.host.strings;
    if (!t) return nothing; // open() waits for the strings
    const phase = this.#phase();
    const order = this.order;
    const remaining = order && phase === 'awaiting' && order.expires_at_t ? order.expires_at_t - this.#now : null;
    const locale = this.#localeTag();
    const body = dialogBody({
      phase,
      t,
      status: this.statusText(),
      product: order?.title ?? '',
      amount: this.#amountText(),
      payee: order?.payee_name || this.host.payeeName || (this.#linkOnly ? this.host.payeeId : location.hostname),
      countdown: remaining === null ? null : formatCountdown(remaining),
      choice: this.#choice,
      qr: this.#qr,
      copied: this.#copied,
      canStartOver: Boolean(this.host.product || this.#linkOnly),
    }, {
      openLink: (event) => this.#openLink(this.#choice!.kind, this.#choice!.url, event),
      copyLink: () => void this.#copyLink(),
      startOver: () => void this.#start(),
      retry: () => this.#retry(),
      close: () => this.close(),
    });
    return html`<dialog part="dialog" aria-labelledby="title" dir=${directionOf(this.host.locale ?? 'en')} lang=${locale}
      @close=${this.#onDialogClose}>${body}</dialog>`;
  }

  #phase(): Phase {
    if (this.#error !== null) return 'error';
    if (this.#unreachable) return 'unreachable';
    if (this.busy) return 'creating';
    if (this.order) return orderPhase(this.order.status);
    return this.#linkOnly ? 'linkOnly' : 'idle';
  }

  #localeTag(): string {
    return this.host.locale ?? 'en';
  }

  #amountText(): string {
    const order = this.order;
    const locale = this.#localeTag();
    if (order) return formatAmount(order.price_amount, order.price_currency, locale);
    const { quoteAmount, quoteAssetId } = this.host;
    if (!this.#linkOnly || !quoteAmount) return '';
    return formatAmount(quoteAmount, /^[a-z]{3}$/i.test(quoteAssetId) ? quoteAssetId : '', locale);
  }

  #set(change: () => unknown): void {
    change();
    this.host.requestUpdate();
  }

  #environmentNow(): Promise<Environment> {
    if (this.host.environment) return Promise.resolve(this.host.environment);
    return (this.#environment ??= detectEnvironment());
  }

  #reset(): number {
    this.#abort?.abort();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#status.stop();
    this.order = null;
    this.#choice = null;
    this.#qr = null;
    this.#error = null;
    this.#refused = false;
    this.#unreachable = false;
    this.#linkOnly = false;
    this.#copied = false;
    this.#expiryChecked = false;
    return ++this.#run;
  }

  /** Starts a fresh checkout from the host's attributes. */
  async #start(): Promise<void> {
    const run = this.#reset();
    const { server, product, orderId, payeeId } = this.host;
    if (!server && payeeId) return this.#startLinkOnly(run);
    if (!server || !(product || orderId)) {
      return this.#fail(new Error('Set server and product (or order), or payee-id'), 'config');
    }
    this.#set(() => (this.busy = true));
    void this.#showDialog();
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
      const env = await environment;
      if (run !== this.#run || abort.signal.aborted) return;
      this.#failures = 0;
      this.busy = false;
      await this.#present(run, env, order, endpoints);
    } catch (error) {
      if (run !== this.#run || abort.signal.aborted) return;
      this.busy = false;
      if (error instanceof ServerError && error.retryable) return this.#retryLater(error);
      this.#fail(error);
    }
  }

  async #present(run: number, env: Environment, order: OrderStatus, endpoints: OrderEndpoints): Promise<void> {
    this.#onStatus(order);
    const choice = chooseLink(env, order.links);
    if (!choice) return this.#fail(new BadResponseError('the order has no link this device can open'));
    const refused = [choice.url, choice.qrUrl ?? choice.url].find((url) => !this.#safe(url));
    if (refused !== undefined) return this.#refuse(refused);
    this.#set(() => (this.#choice = choice));
    this.#status.follow(endpoints, order);
    // An order="..." may already be paid, pending, expired...: show its state, open nothing.
    if (order.status === 'NEW' || order.status === 'UNRESOLVED') await this.#follow(run, choice);
  }

  async #startLinkOnly(run: number): Promise<void> {
    const { payeeId, quoteAmount, quoteAssetId, settlementAssetId, remark, payBase } = this.host;
    let url: string;
    try {
      url = buildPayLink({ payeeId, quoteAmount, quoteAssetId, settlementAssetId, remark, traceId: randomTraceId() }, payBase);
    } catch (error) {
      return this.#fail(error, 'config');
    }
    if (!this.#safe(url)) return this.#refuse(url);
    this.#set(() => (this.#linkOnly = true));
    void this.#showDialog();
    const env = await this.#environmentNow();
    if (run !== this.#run) return;
    const choice = chooseLink(env, { checkout_url: url, universal_url: url, deep_link: '' })!;
    this.#set(() => (this.#choice = choice));
    await this.#follow(run, choice);
  }

  // Desktop and in-app browsers get a QR code; phones and wallets leave for the link at once.
  async #follow(run: number, choice: LinkChoice): Promise<void> {
    if (!choice.showQr) {
      this.#openLink(choice.kind, choice.url);
      return;
    }
    try {
      const { qrMatrix } = await import('./qr-matrix.ts');
      if (run === this.#run && choice.qrUrl) this.#set(() => (this.#qr = qrMatrix(choice.qrUrl!)));
    } catch (error) {
      // No QR code (chunk failed to load, link too long): the link and copy button still work.
      emit(this.host, 'mixpay-error', { code: 'network', message: `QR code unavailable: ${String(error)}` });
    }
  }

  #onStatus(next: OrderStatus): void {
    const known = this.order;
    // The status answers and events carry no title (and may carry no payee_name): keep what the
    // checkout answer said about the same order instead of blanking the dialog's lines.
    const order: OrderStatus = known?.order_id === next.order_id
      ? { ...next, title: next.title ?? known.title ?? '', payee_name: next.payee_name ?? known.payee_name }
      : next;
    const before = known?.status;
    this.#set(() => {
      this.order = order;
      this.#unreachable = false;
    });
    if (before === order.status) return;
    const host = this.host;
    emit(host, 'mixpay-status', { order });
    if (order.status === 'PAID' || order.status === 'RESOLVED') emit(host, 'mixpay-success', { order });
    else if (order.status === 'FAILED' || order.status === 'CANCELED') emit(host, 'mixpay-failed', { order, reason: order.failure_reason });
    else if (order.status === 'EXPIRED') emit(host, 'mixpay-expired', { order });
  }

  #safe(url: string): boolean {
    return isSafeUrl(url, walletSchemes(this.host.allowedSchemes));
  }

  /**
   * Opens a link after the URL policy and the host page's `mixpay-open` veto. For a click on the
   * dialog's link, the link's own default action does the opening (a new tab needs the click's
   * user gesture), so only a refusal or a veto cancels the click.
   */
  #openLink(kind: LinkKind, url: string, click?: Event): void {
    if (!this.#safe(url)) {
      click?.preventDefault();
      return this.#refuse(url);
    }
    if (!emit(this.host, 'mixpay-open', { kind, url }, { cancelable: true })) click?.preventDefault();
    else if (!click) this.host.navigate(url);
  }

  #refuse(url: string): void {
    this.#status.stop();
    this.#set(() => {
      this.#choice = null;
      this.#error = '';
      this.#refused = true;
    });
    emit(this.host, 'mixpay-error', {
      code: 'unsafe-url',
      message: 'Not https, http on localhost, or an allowed wallet scheme',
      url,
    });
  }

  #fail(error: unknown, code?: MixpayErrorCode): void {
    const message = error instanceof Error ? error.message : String(error);
    const serverCode = error instanceof ServerError ? error.code : undefined;
    this.#set(() => {
      this.busy = false;
      this.#error = message;
    });
    const inferred: MixpayErrorCode =
      error instanceof BadResponseError || serverCode === 'BAD_RESPONSE' ? 'bad-response' : 'server';
    emit(this.host, 'mixpay-error', { code: code ?? inferred, message, ...(serverCode ? { serverCode } : {}) });
  }

  #retryLater(error: ServerError): void {
    this.#failures++;
    this.#set(() => (this.#unreachable = true));
    emit(this.host, 'mixpay-error', { code: 'network', message: error.message, serverCode: error.code });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#start();
    }, nextRetryDelay(this.#failures));
  }

  #retry(): void {
    if (this.#status.active) this.#status.checkNow();
    else void this.#start();
  }

  async #showDialog(): Promise<void> {
    await this.host.updateComplete; // the dialog is rendered by the host
    const dialog = this.host.dialog();
    if (dialog && !dialog.open && this.host.isConnected) dialog.showModal();
  }

  #onDialogClose = (): void => {
    this.host.focus();
    emit(this.host, 'mixpay-close', {});
  };

  async #copyLink(): Promise<void> {
    const url = this.#choice?.qrUrl ?? this.#choice?.url;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.#set(() => (this.#copied = true));
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
