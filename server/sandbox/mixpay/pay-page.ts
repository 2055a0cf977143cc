/**
 * The hosted pay page `/code/{code}` (MixPay's `https://mixpay.me/code/<code>`). No scripts at all,
 * so it works under `script-src 'self'`: every button is a plain form POST to the simulate call,
 * which answers 303 back here. All text goes through hono/html, which escapes it.
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import Big from 'big.js';
import { symbolOf } from './assets.ts';
import { SandboxError } from './envelope.ts';
import { isFullyPaid, paymentAssetOf, totalPaidOf, type SandboxPayment } from './payment.ts';
import type { PaymentBook } from './payment-book.ts';

const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

export function mixpayPayPage(book: PaymentBook, now: () => number): Hono {
  return new Hono()
    .get('/pay.css', (c) => c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }))
    .get('/', (c) => {
      // Served at `/sandbox/mixpay` (no trailing slash), so links are absolute from where it is mounted.
      const base = c.req.path.replace(/\/+$/, '');
      return c.html(layout('Payment links', index(base, book.recent(50)), `${base}/pay.css`), 200, PAGE_HEADERS);
    })
    .get('/code/:code', (c) => {
      let payment: SandboxPayment;
      try {
        payment = book.byLinkCode(c.req.param('code'));
      } catch (error) {
        if (!(error instanceof SandboxError) || error.kind !== 'notFound') throw error;
        return c.html(layout('Payment link not found', html`<h1>This payment link does not exist</h1><p>Ask the merchant for a new one.</p>`), 404, PAGE_HEADERS);
      }
      const notice = c.req.query('notice');
      return c.html(layout(`Pay ${payment.reported.quoteAmount} ${symbolOf(payment.reported.quoteAssetId)}`, page(payment, notice, now())), 200, PAGE_HEADERS);
    });
}

function page(payment: SandboxPayment, notice: string | undefined, nowMs: number) {
  const { request, reported } = payment;
  const quote = `${reported.quoteAmount} ${symbolOf(reported.quoteAssetId)}`;
  const action = `../payments/${encodeURIComponent(payment.code)}/simulate`;
  const open = payment.status === 'unpaid' || (payment.status === 'pending' && !isFullyPaid(payment));
  const confirming = payment.status === 'pending' && isFullyPaid(payment);
  return html`
    <p class="badge">MixPay sandbox: no real money moves</p>
    <h1>Pay <span class="amount">${quote}</span></h1>
    <dl>
      <dt>Amount</dt><dd>${quote}</dd>
      <dt>Pay with</dt><dd>${symbolOf(paymentAssetOf(payment))} <small>${paymentAssetOf(payment)}</small></dd>
      <dt>Payee</dt><dd>${reported.payeeId}</dd>
      ${request.orderId ? html`<dt>Order</dt><dd>${request.orderId}</dd>` : ''}
      ${request.remark ? html`<dt>Remark</dt><dd>${request.remark}</dd>` : ''}
      <dt>Expires</dt><dd>${expiry(request.expiredTimestamp, nowMs)}</dd>
      <dt>Status</dt><dd class="status status-${payment.status}" role="status">${statusText(payment)}</dd>
    </dl>
    ${notice ? html`<p class="notice" role="alert">${notice}</p>` : ''}
    ${open ? buttons(action, payment) : ''}
    ${confirming ? html`<div class="actions">${button(action, 'confirm', 'One more confirmation')}${button(action, 'success', 'Confirm (success)')}${button(action, 'fail', 'Fail')}</div>` : ''}
    ${payment.status === 'success' && isHttpUrl(request.returnTo) ? html`<p><a class="return" href="${request.returnTo}">Return to merchant</a></p>` : ''}
    ${payment.status === 'failed' && isHttpUrl(request.failedReturnTo) ? html`<p><a class="return" href="${request.failedReturnTo}">Back to merchant</a></p>` : ''}
    <p class="debug"><a href="../payments/${encodeURIComponent(payment.code)}/callbacks">Callback log (JSON)</a></p>
  `;
}

/** `/sandbox/mixpay`: the links minted since start, newest first, for people testing by hand. */
function index(base: string, payments: SandboxPayment[]) {
  return html`
    <p class="badge">MixPay sandbox: no real money moves</p>
    <h1>Payment links</h1>
    ${payments.length
      ? html`<ul class="links">${payments.map(
          (p) => html`<li><a href="${base}/code/${encodeURIComponent(p.code)}">${p.reported.quoteAmount} ${symbolOf(p.reported.quoteAssetId)}</a> ${p.request.orderId ?? p.traceId}: ${p.status}</li>`,
        )}</ul>`
      : html`<p>No links yet: create one with <code>POST v1/one_time_payment</code>, or buy something in the demo shop.</p>`}
  `;
}

function buttons(action: string, payment: SandboxPayment) {
  const due = new Big(payment.reported.quoteAmount).minus(totalPaidOf(payment));
  const half = due.div(2).round(8, Big.roundDown).toFixed();
  return html`
    <form method="post" action="${action}" class="primary">
      <input type="hidden" name="outcome" value="success">
      <button type="submit">Pay in full</button>
      <details>
        <summary>Tamper with the result (as an edited pay link would)</summary>
        <label>Quote amount <input name="quoteAmount" inputmode="decimal" autocomplete="off"></label>
        <label>Quote asset <input name="quoteAssetId" autocomplete="off"></label>
        <label>Payee <input name="payeeId" autocomplete="off"></label>
      </details>
    </form>
    <form method="post" action="${action}" class="less">
      <input type="hidden" name="outcome" value="paid_less">
      <label>Amount <input name="paymentAmount" inputmode="decimal" value="${half}" autocomplete="off"></label>
      <button type="submit">Pay less</button>
    </form>
    <div class="actions">
      ${button(action, 'pending', 'Pending (awaiting confirmations)')}
      ${button(action, 'fail', 'Fail')}
      ${button(action, 'expire', 'Expire')}
    </div>
  `;
}

function button(action: string, outcome: string, label: string) {
  return html`<form method="post" action="${action}"><input type="hidden" name="outcome" value="${outcome}"><button type="submit">${label}</button></form>`;
}

function statusText(payment: SandboxPayment): string {
  switch (payment.status) {
    case 'unpaid':
      return 'Waiting for payment';
    case 'pending':
    case 'auditing':
      return isFullyPaid(payment)
        ? 'Paid, waiting for confirmations'
        : `Paid ${totalPaidOf(payment)} of ${payment.reported.quoteAmount}: waiting for the rest`;
    case 'success':
      return payment.settleStatus === 'success' ? 'Paid and settled' : 'Paid';
    case 'failed':
      return `Failed: ${payment.failureReason} (code ${payment.failureCode})`;
  }
}

function expiry(expiredTimestamp: number | undefined, nowMs: number): string {
  if (expiredTimestamp === undefined) return 'never';
  const at = new Date(expiredTimestamp * 1000).toISOString().replace('.000Z', 'Z');
  const seconds = Math.round(expiredTimestamp - nowMs / 1000);
  return seconds > 0 ? `${at} (in ${seconds} s)` : `${at} (passed)`;
}

function isHttpUrl(text: string | undefined): text is string {
  if (!text) return false;
  try {
    const { protocol } = new URL(text);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

function layout(title: string, body: unknown, cssHref = '../pay.css') {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${title} · MixPay sandbox</title>
    <link rel="stylesheet" href="${cssHref}">
  </head>
  <body><main>${body}</main></body>
</html>`;
}

const STYLESHEET = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
.badge { display: inline-block; padding: .2rem .6rem; border-radius: 1rem; background: #fde68a; color: #713f12; font-size: .8rem; }
h1 .amount { white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
small { opacity: .7; }
.status-success { color: #15803d; } .status-failed { color: #b91c1c; }
.notice { padding: .5rem; border: 1px solid #b91c1c; border-radius: .3rem; }
form { margin: .5rem 0; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; } .actions form { margin: 0; }
button { font: inherit; padding: .5rem 1rem; border-radius: .4rem; border: 1px solid #888; cursor: pointer; }
.primary > button { background: #4f46e5; color: #fff; border-color: #4f46e5; width: 100%; }
details label, .less label { display: block; margin: .3rem 0; }
input { font: inherit; padding: .3rem; }
.return { font-weight: 600; }
.debug { margin-top: 2rem; font-size: .8rem; }
.links { padding-left: 1.2rem; } .links li { margin: .3rem 0; }
`;
