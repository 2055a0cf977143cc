import { html, nothing, type TemplateResult } from 'lit';
import type { LinkChoice } from './choose-link.ts';
import type { Strings } from './i18n/strings.ts';
import type { Phase } from './phase.ts';
import { qrCodeTemplate } from './qr-code.ts';
import type { QrMatrix } from './qr-matrix.ts';

/** Everything the dialog shows, already formatted for the locale. */
export interface DialogModel {
  phase: Phase;
  t: Strings;
  status: string;
  /** The order's title (what is being paid for). */
  product: string;
  /** The headline: the price, or what is still due after an underpayment. */
  amount: string;
  /** The amount paid in the asset paid with, while it is being confirmed. */
  paid: string;
  /** "n of m confirmations" while pending, when the server knows them. */
  progress: string;
  /** The receipt's transactions: a short label, and the explorer link when it is an http(s) URL. */
  txs: Array<{ url: string | null; label: string }>;
  /** Label and value rows: the receipt, or price and paid-so-far after an underpayment. */
  details: Array<[string, string]>;
  payee: string;
  countdown: string | null;
  choice: LinkChoice | null;
  qr: QrMatrix | null;
  copied: boolean;
  /** The amount to copy (in-app browsers, where the customer may pay from another app), and whether it was. */
  copyAmount: string;
  copiedAmount: boolean;
  canStartOver: boolean;
  /** The merchant allows a new purchase after a paid one (`new-purchase="always"`). */
  buyAgain: boolean;
  /** The hosted order page: no close button. */
  page?: boolean;
}

/** What the dialog's controls do. */
export interface DialogActions {
  openLink(event: Event): void;
  copyLink(): void;
  copyAmount(): void;
  startOver(): void;
  retry(): void;
  close(): void;
}

const SHOWS_LINKS: ReadonlySet<Phase> = new Set(['awaiting', 'paidLess', 'linkOnly', 'unreachable']);

/** The text of the status line for a phase (also read out by the live regions). */
export function statusText(t: Strings, phase: Phase, detail: { due?: string; wait?: string; reason?: string | null; error?: string | null }): string {
  if (phase === 'idle') return '';
  if (phase === 'busy') return t.busy(detail.wait ?? '');
  if (phase === 'paidLess') return t.paidLess(detail.due ?? '');
  if (phase === 'failed' && detail.reason) return t.failedReason(detail.reason);
  if (phase === 'error' && detail.error) return `${t.error}: ${detail.error}`;
  return t[phase];
}

/** The inside of the dialog. */
export function dialogBody(m: DialogModel, on: DialogActions): TemplateResult {
  const { t, choice } = m;
  const links = SHOWS_LINKS.has(m.phase) && choice ? choice : null;
  // Templates are written without indentation: whitespace inside them ships to every customer.
  // The heading row is a div: a <header> here would be a page banner landmark, one per button.
  // The order page is the merchant's: its heading names them (the receipt's merchant name).
  return html`<div class="head"><h2 id="title">${m.page ? m.payee : t.pay}</h2>${m.page ? nothing : html`<button class="close" aria-label=${t.close}
@click=${on.close}>&times;</button>`}</div>
${m.product ? html`<p class="muted">${m.product}</p>` : nothing}
${m.amount ? html`<p part="amount" class="amount">${m.amount}</p>` : nothing}
${m.paid ? html`<p class="muted">${m.paid}</p>` : nothing}
<p part="status" class="status" role="status" data-phase=${m.phase}>${m.status}</p>
${m.progress ? html`<p class="muted" role="status">${m.progress}</p>` : nothing}
${m.details.length ? html`<dl>${m.details.map(([k, v]) => html`<dt>${k}</dt><dd><bdi>${v}</bdi></dd>`)}${m.txs.length ? html`<dt>${t.transaction}</dt>
<dd>${m.txs.map((x) => (x.url ? html`<a part="transaction" dir="ltr" href=${x.url} target="_blank" rel="noopener noreferrer">${x.label}</a> ` : html`<bdi>${x.label}</bdi> `))}</dd>` : nothing}</dl>` : nothing}
${m.countdown ? html`<p class="muted">${t.expiresIn(m.countdown)}</p>` : nothing}
${links ? linkBlock(m, links, on) : nothing}
${actions(m, on)}`;
}

function linkBlock(m: DialogModel, choice: LinkChoice, on: DialogActions): TemplateResult {
  const { t } = m;
  const opensApp = choice.kind === 'deep';
  const label = m.phase === 'paidLess' ? t.payRest : opensApp ? t.openWallet : t.openCheckout;
  const qrUrl = choice.showQr ? choice.qrUrl : null;
  return html`${m.qr && qrUrl
    ? html`<figure>${qrCodeTemplate(m.qr, t.qrLabel(m.amount, m.payee))}<figcaption class="muted">${t.scan}</figcaption></figure>`
    : nothing}
${choice.openInBrowserHint ? html`<p class="muted">${t.openInBrowser}</p>` : nothing}
<a class="primary" part="link" href=${choice.url} target=${choice.showQr ? '_blank' : '_self'} rel="noopener noreferrer"
@click=${on.openLink}>${label}</a>
${qrUrl
    ? html`<dl><dt>${t.amount}</dt><dd>${m.amount}${choice.openInBrowserHint && m.copyAmount
      ? html` <button class="copy-amount" @click=${on.copyAmount}>${m.copiedAmount ? t.copied : t.copyAmount}</button>` : nothing}</dd><dt>${t.payee}</dt><dd>${m.payee}</dd></dl>
<div class="copy"><label for="link">${t.paymentLink}</label><div><input id="link" dir="ltr" readonly .value=${qrUrl}
@focus=${(e: FocusEvent) => (e.target as HTMLInputElement).select()}><button @click=${on.copyLink}>${m.copied ? t.copied : t.copyLink}</button></div></div>`
    : nothing}`;
}

// There is no <form> here, so the buttons need no type="button".
function actions(m: DialogModel, on: DialogActions): TemplateResult | typeof nothing {
  const { t, phase } = m;
  const [label, action] =
    phase === 'unreachable' || phase === 'error' ? [t.retry, on.retry]
    : (phase === 'expired' || phase === 'failed' || phase === 'canceled') && m.canStartOver ? [t.newCheckout, on.startOver]
    : phase === 'paid' && m.buyAgain ? [t.newCheckout, on.startOver]
    : phase === 'paid' && !m.page ? [t.close, on.close]
    : phase === 'busy' ? [t.retry, on.retry]
    : [];
  return label ? html`<button class="primary" @click=${action}>${label}</button>` : nothing;
}
