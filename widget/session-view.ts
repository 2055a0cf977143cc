/**
 * What the session shows in a state: the status line and the dialog's model, formatted for the
 * host's locale (dialog-view.ts draws the dialog). Pure but for the page's host name, the payee of
 * last resort.
 */
import { statusText, type DialogModel } from './dialog-view.ts';
import { formatAmount, formatCountdown } from './format.ts';
import type { Locale } from './i18n/locale.ts';
import type { Strings } from './i18n/strings.ts';
import { isLinkOnly, offerOf, orderOf, phaseOf, type SessionState, type Setup } from './session-state.ts';

/** What the view reads of the host element. */
export interface ViewHost extends Pick<Setup, 'product' | 'payeeId' | 'quoteAmount' | 'quoteAssetId' | 'newPurchase'> {
  /** Payee shown when the server names none. */
  readonly payeeName: string;
  readonly locale: Locale | null;
  /** `page`: the hosted order page (no close button). */
  readonly mode?: 'button' | 'page';
}

/** The status line, under the button and in the dialog (both are live regions). */
export function statusLine(state: SessionState, t: Strings, host: ViewHost): string {
  if (state.step === 'refused') return t.unsafeLink;
  const order = orderOf(state);
  // amount_due is counted in the asset paid with (e.g. USDT), not in the price currency.
  const due = order?.amount_due ? formatAmount(order.amount_due, order.pay_currency ?? order.price_currency, localeOf(host)) : '';
  const wait = state.step === 'busy' ? formatCountdown(state.until - state.now) : '';
  return statusText(t, phaseOf(state), { due, wait, reason: order?.failure_reason ?? null, error: state.step === 'error' ? state.message : null });
}

/** Everything the dialog shows in `state`. */
export function dialogModel(state: SessionState, t: Strings, host: ViewHost): DialogModel {
  const phase = phaseOf(state);
  const order = orderOf(state);
  const offer = offerOf(state);
  const linkOnly = isLinkOnly(state);
  const remaining = order && phase === 'awaiting' && order.expires_at_t ? order.expires_at_t - state.now : null;
  const locale = localeOf(host);
  const price = amountText(state, host);
  // What the customer paid, in the asset they paid with (the status has it once money arrived).
  const paid = order?.pay_amount && order.pay_currency ? formatAmount(order.pay_amount, order.pay_currency, locale) : '';
  const due = phase === 'paidLess' && order?.amount_due ? formatAmount(order.amount_due, order.pay_currency ?? order.price_currency, locale) : '';
  const details: Array<[string, string]> =
    phase === 'paidLess' ? [[t.price, price], [t.paidSoFar, paid]]
    : phase === 'paid' && order ? [[t.paidAmount, paid || price], [t.orderId, order.order_id], [t.time, new Date(order.updated_at).toLocaleString(locale)]]
    : [];
  const count = (c: unknown) => (Number.isInteger(c) && (c as number) >= 0 ? (c as number).toLocaleString(locale) : '');
  const done = count(order?.confirmations);
  return {
    phase,
    t,
    status: statusLine(state, t, host),
    product: order?.title ?? '',
    // After an underpayment the headline is what is still due.
    amount: due || price,
    paid: phase === 'pending' ? paid : '',
    progress: phase === 'pending' && done && order!.required_confirms! > 0 ? t.confirms(done, count(order!.required_confirms)) : '',
    // The receipt's transactions: a shortened txid, linked to the explorer when the link is http(s).
    txs: phase === 'paid' && order ? order.transactions.map(({ txid, explorer_url: url }) => ({
      url: /^https?:\/\/./i.test(url ?? '') ? url : null,
      label: `${txid}`.replace(/^(.{8}).{3,}(.{6})$/, '$1…$2'),
    })) : [],
    details: details.filter(([, value]) => value),
    payee: order?.payee_name || host.payeeName || (linkOnly ? host.payeeId : location.hostname),
    countdown: remaining === null ? null : formatCountdown(remaining),
    choice: offer?.choice ?? null,
    qr: offer?.qr ?? null,
    copied: offer?.copied ?? false,
    copyAmount: (phase === 'paidLess' ? order?.amount_due : order?.price_amount) ?? host.quoteAmount,
    copiedAmount: offer?.copiedAmount ?? false,
    canStartOver: Boolean(host.product || linkOnly) && host.newPurchase !== 'never',
    buyAgain: host.newPurchase === 'always' && Boolean(host.product),
    page: host.mode === 'page',
  };
}

/** The locale tag of the host (English until its locale is resolved). */
export function localeOf(host: ViewHost): string {
  return host.locale ?? 'en';
}

function amountText(state: SessionState, host: ViewHost): string {
  const order = orderOf(state);
  if (order) return formatAmount(order.price_amount, order.price_currency, localeOf(host));
  const { quoteAmount, quoteAssetId } = host;
  if (!isLinkOnly(state) || !quoteAmount) return '';
  return formatAmount(quoteAmount, /^[a-z]{3}$/i.test(quoteAssetId) ? quoteAssetId : '', localeOf(host));
}
