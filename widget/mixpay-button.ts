import { adoptStyles, html, LitElement, nothing, type PropertyValues } from 'lit';
import { buttonStyles } from './button.styles.ts';
import type { CheckoutSession, SessionHost } from './checkout-session.ts';
import type { Environment } from './choose-link.ts';
import { emit } from './events.ts';
import { loadStrings } from './i18n/load-strings.ts';
import { directionOf, resolveLocale, type Locale } from './i18n/locale.ts';
import type { Strings } from './i18n/strings.ts';
import type { OrderStatus } from './order-status.ts';
import { DEFAULT_PAY_BASE } from './pay-link.ts';
import { purchaseKey, recallOrder } from './remembered-order.ts';

/**
 * A checkout button for MixPay payments through the mixpay-checkout companion server: it creates
 * the checkout, opens the link that works on the customer's device, and shows the payment's
 * status until it is final. Without a server, `payee-id` makes a plain pay link (tips only).
 *
 * Only the button is loaded up front; the dialog, the status follower and the string tables load
 * when the customer points at or focuses the button.
 *
 * @summary Pay with MixPay: one button, every device, every payment state.
 *
 * @slot - The button's label (default: "Pay with MixPay" in the page's language).
 *
 * @event {CustomEvent<MixpayOpenDetail>} mixpay-open - Before a link is opened: `{kind, url}`. Cancelable: cancel it and nothing is opened.
 * @event {CustomEvent<MixpayOrderDetail>} mixpay-order - The order the element follows, once created or resumed: `{orderId}`. Store it to find the order again.
 * @event {CustomEvent<MixpayStatusDetail>} mixpay-status - Every change of the order's status: `{order}`.
 * @event {CustomEvent<MixpayStatusDetail>} mixpay-success - The order is paid (PAID, or RESOLVED by the merchant): `{order}`.
 * @event {CustomEvent<MixpayFailedDetail>} mixpay-failed - The payment failed or the order was canceled: `{order, reason}`.
 * @event {CustomEvent<MixpayStatusDetail>} mixpay-expired - The order expired unpaid: `{order}`.
 * @event {CustomEvent<MixpayErrorDetail>} mixpay-error - Something went wrong: `{code, message, serverCode?, url?}`.
 * @event {CustomEvent} mixpay-close - The dialog was closed.
 *
 * @csspart button - The pay button.
 * @csspart dialog - The checkout dialog.
 * @csspart qr - The QR code (an SVG, always black on white with its quiet zone).
 * @csspart status - The status lines (under the button and in the dialog; both are live regions).
 * @csspart amount - The amount in the dialog.
 * @csspart link - The "Open checkout" link in the dialog.
 * @csspart transaction - A transaction's block explorer link on the receipt.
 *
 * @cssproperty [--mixpay-accent=light-dark(#0969da, #4493f8)] - Background of the button and primary actions.
 * @cssproperty [--mixpay-accent-text=light-dark(#fff, #0d1117)] - Text on the accent colour.
 * @cssproperty [--mixpay-radius=8px] - Corner radius of the button and the dialog.
 * @cssproperty [--mixpay-font=system-ui, sans-serif] - Font family.
 * @cssproperty [--mixpay-dialog-background=light-dark(#fff, #161b22)] - Dialog background.
 * @cssproperty [--mixpay-dialog-text=light-dark(#1f2328, #e6edf3)] - Dialog text.
 * @cssproperty [--mixpay-muted-text=light-dark(#59636e, #9198a1)] - Secondary text.
 * @cssproperty [--mixpay-success=light-dark(#1a7f37, #3fb950)] - Colour of the "paid" status.
 * @cssproperty [--mixpay-danger=light-dark(#cf222e, #ff7b72)] - Colour of failures and errors.
 * @cssproperty [--mixpay-qr-size=220px] - Width and height of the QR code.
 */
export class MixpayButton extends LitElement implements SessionHost {
  static override styles = buttonStyles;

  static override properties = {
    server: {},
    product: {},
    orderId: { attribute: 'order' },
    payeeId: { attribute: 'payee-id' },
    quoteAmount: { attribute: 'quote-amount' },
    quoteAssetId: { attribute: 'quote-asset-id' },
    settlementAssetId: { attribute: 'settlement-asset-id' },
    remark: {},
    payBase: { attribute: 'pay-base' },
    payeeName: { attribute: 'payee-name' },
    allowedSchemes: { attribute: 'allowed-schemes' },
    newPurchase: { attribute: 'new-purchase' },
    mode: {},
    theme: { reflect: true },
    lang: { reflect: true },
    environment: { attribute: false },
  };

  /** Base URL of the companion server, e.g. `https://shop.example` (trailing slashes are ignored). */
  declare server: string;
  /** Catalog product id to create a checkout for (the server sets the price). */
  declare product: string;
  /** Id of an order the merchant's backend created (attribute `order`), instead of `product`. */
  declare orderId: string;
  /** Link-only mode: Mixin UUID of the payee. Plain pay links can be edited by the payer: donations and tips only. */
  declare payeeId: string;
  /** Link-only mode: the amount to ask for, a decimal string such as `5` or `2.50`. */
  declare quoteAmount: string;
  /** Link-only mode: asset id, or lowercase fiat code such as `usd`, the amount is quoted in. */
  declare quoteAssetId: string;
  /** Link-only mode: asset id the payee receives. */
  declare settlementAssetId: string;
  /** Link-only mode: remark shown to the payee. */
  declare remark: string;
  /** Link-only mode: base of the plain pay link (default `https://mixpay.me/pay`). */
  declare payBase: string;
  /** Payee shown in the dialog when the server names none (`payee_name`); default: the page's host name, or `payee-id`. */
  declare payeeName: string;
  /** Extra wallet URL schemes the element may open besides `mixin:` and `bnc:` (space or comma separated). */
  declare allowedSchemes: string;
  /** When a click after a final order starts a new purchase: `unpaid` (after failed, expired, canceled), `always`, `never`. */
  declare newPurchase: 'unpaid' | 'always' | 'never';
  /** `button`, or `page`: the order's state in place, with no button or dialog (the hosted order page). */
  declare mode: 'button' | 'page';
  /** Colour theme; `auto` follows `prefers-color-scheme`. */
  declare theme: 'light' | 'dark' | 'auto';
  /** Language of the element (else the nearest `[lang]` ancestor's, else the browser's). */
  declare lang: string;
  /** Overrides environment detection, for host apps that know where they run. */
  declare environment: Environment | null;

  /** @internal The resolved locale (read by the checkout session). */
  locale: Locale | null = null;
  /** @internal The string table of `locale`, once its chunk has loaded. */
  strings: Strings | null = null;
  /** @internal Settles when `strings` is there. */
  stringsLoaded: Promise<unknown> = Promise.resolve();

  private _session: CheckoutSession | null = null;
  private _loading: Promise<CheckoutSession> | null = null;

  constructor() {
    super();
    this.server = '';
    this.product = '';
    this.orderId = '';
    this.payeeId = '';
    this.quoteAmount = '';
    this.quoteAssetId = '';
    this.settlementAssetId = '';
    this.remark = '';
    this.payBase = DEFAULT_PAY_BASE;
    this.payeeName = '';
    this.allowedSchemes = '';
    this.newPurchase = 'unpaid';
    this.mode = 'button';
    this.theme = 'auto';
    this.environment = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Coming back (Back, reload, a second tab) to a purchase this element began: follow that
    // order, never a second one. The order page follows its order from the start.
    const id = this.mode === 'page' ? this.orderId : recallOrder(purchaseKey(this.server, this.product, this.orderId));
    if (id && this.server && !this._session) void this._load().then((session) => session?.resume(id));
  }

  /** The order being paid, as last reported by the server, or null before a checkout exists (its id: `order.order_id`). */
  get order(): Readonly<OrderStatus> | null {
    return this._session?.order ?? null;
  }

  /** Starts a checkout, or shows the dialog again while one is under way. */
  open(): void {
    void this._load().then((session) => session?.open());
  }

  /** Moves focus to the pay button (the host itself is not focusable). */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector<HTMLButtonElement>('.pay')?.focus(options);
  }

  /** Closes the dialog; the status is still followed. */
  close(): void {
    this._session?.close();
  }

  /**
   * Leaves the page for `url`, which has passed the URL policy and the `mixpay-open` event.
   * @internal
   */
  navigate(url: string): void {
    window.location.assign(url);
  }

  /**
   * The checkout dialog, which the session renders into this element's shadow root.
   * @internal
   */
  dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const locale = resolveLocale(this, this.lang);
    if ((changed.has('lang') || !this.hasUpdated) && locale !== this.locale) {
      // Each language is its own chunk, English included; until it arrives the label is English.
      this.locale = locale;
      this.stringsLoaded = loadStrings(locale).then((strings) => {
        if (this.locale === locale) this.strings = strings;
        this.requestUpdate();
      });
    }
  }

  protected override render() {
    const session = this._session;
    // The label and status follow the element's language, whatever the direction of the page.
    const dir = directionOf(this.locale ?? 'en');
    if (this.mode === 'page') return session?.renderDialog() ?? nothing;
    return html`<button class="pay" part="button" dir=${dir} aria-haspopup="dialog" aria-busy=${session?.phase === 'creating' ? 'true' : 'false'}
@click=${this.open} @pointerenter=${this._load} @focus=${this._load}>${session?.phase === 'paid' && this.strings
      ? this.strings.paidMark : html`<slot>${this.strings?.pay ?? 'Pay with MixPay'}</slot>`}</button>
<span class="outer-status" part="status" role="status" dir=${dir}>${session?.statusText() ?? ''}</span>${session ? session.renderDialog() : nothing}`;
  }

  // The rest of the element arrives on first interest (hover, focus, click or open()).
  private _load(): Promise<CheckoutSession | null> {
    this._loading ??= import('./checkout-session.ts').then(({ CheckoutSession, dialogStyles }) => {
      adoptStyles(this.renderRoot as ShadowRoot, [buttonStyles, dialogStyles]);
      this._session = new CheckoutSession(this);
      this.requestUpdate();
      return this._session;
    });
    return this._loading.catch((error: unknown) => {
      this._loading = null; // let the next click try again
      emit(this, 'mixpay-error', { code: 'network', message: String(error) });
      return null;
    });
  }
}
