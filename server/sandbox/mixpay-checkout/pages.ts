/**
 * The sandbox checkout's pages. Plain forms, no script; every value goes through hono/html, which
 * escapes it.
 */
import Big from 'big.js';
import { html } from 'hono/html';
import { SANDBOX_ASSETS, type Snapshot } from '../mixin/index.ts';
import type { AssetRange, BrokerAnswer, OrderLinks } from './broker-call.ts';

/** How often the return page reloads itself while it waits for the broker's transfer. */
export const WAIT_RELOAD_SECONDS = 2;

/** What this page asked the broker for and got back, so the return page can link the wallet. */
export interface SentOrder {
  wallet: string;
  assetId: string;
  amount: string;
  checkoutUrl: string;
  /** Milliseconds, as sent in expired_at (seconds). */
  expiredAt: number;
  refundedWith?: string;
}

type Html = ReturnType<typeof html>;

export function layout(body: Html, reloadSeconds?: number) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${reloadSeconds ? html`<meta http-equiv="refresh" content="${reloadSeconds}">` : ''}<title>MixPay checkout sandbox</title></head><body>
    <p><strong>Sandbox: no real money moves.</strong></p>${body}</body></html>`;
}

/** "USDT (4d8c…)" for the sandbox's assets, the bare id for any other. */
const assetName = (assetId: string) => {
  const known = SANDBOX_ASSETS[assetId];
  return known ? html`<strong>${known.symbol}</strong> <small><code>${assetId}</code></small>` : html`<code>${assetId}</code>`;
};

/** A fee fraction as a percentage ("0.0100" → "1 %"). */
const percent = (fee: string) => {
  try {
    return `${new Big(fee).times(100).toFixed()} %`;
  } catch {
    return fee;
  }
};

export interface StartPage {
  self: string;
  payee: string;
  wallet: string;
  /** The wallets to offer: every registered one, and the one asked for if it is not. */
  wallets: string[];
  range: BrokerAnswer;
  assets: AssetRange[];
}

export function startPage({ self, payee, wallet, wallets, range, assets }: StartPage) {
  const choices = wallets.includes(wallet) ? wallets : [...wallets, wallet];
  return layout(html`
    <h1>MixPay checkout (sandbox)</h1>
    <p>This page plays MixPay calling this server's broker, as seed 000 describes. To try the whole flow:</p>
    <ol>
      <li>Pick a wallet and press <em>Check limits</em>: the page calls <code>GET /mixpay/assets/range</code>.</li>
      <li>Choose an amount and press <em>Pay with …</em>: the page calls <code>POST /mixpay/create_order</code>.</li>
      <li>Open the wallet's checkout page and pay there, as the customer. The wallet sends you back here.</li>
      <li>The broker transfers exactly the amount to MixPay's bot; the return page shows it arrive.</li>
      <li>Optionally have MixPay refund it: the broker then refunds the customer through the wallet.</li>
    </ol>
    <form method="get" action="${self}">
      <label>payee_id <input name="payee_id" value="${payee}" size="40"></label>
      <label>wallet <select name="wallet">${choices.map((w) => html`<option value="${w}" ${w === wallet ? 'selected' : ''}>${w}</option>`)}</select></label>
      <button type="submit">Check limits</button>
    </form>
    <h2>assets/range answered code ${range.body.code}${range.body.message ? html`: ${range.body.message}` : ''}</h2>
    ${assets.length ? html`<p>The customer pays the amount plus the broker's fee; MixPay's bot receives exactly the amount.</p>` : ''}
    ${assets.map(
      (a) => html`<form method="post" action="${self}/order">
        <input type="hidden" name="payee_id" value="${payee}"><input type="hidden" name="wallet" value="${wallet}"><input type="hidden" name="asset_id" value="${a.asset_id}">
        <p>${assetName(a.asset_id)}: from ${a.min} to ${a.max}, fee ${percent(a.fee)}</p>
        <label>amount <input name="amount" value="${a.min}"></label>
        <label>expires in <input name="expires_in" value="900" size="6"> s</label>
        <button type="submit">Pay with ${wallet}</button>
      </form>`,
    )}
    <details><summary>Raw answer</summary>
    <pre>${JSON.stringify(range.body, null, 2)}</pre></details>`);
}

export function orderPage(self: string, traceId: string, fields: Record<string, string>, answer: BrokerAnswer, links: OrderLinks | null) {
  return layout(html`
    <h1>create_order answered code ${answer.body.code}</h1>
    ${links
      ? html`<p>Next, as the customer: <a href="${links.checkout_url}"><strong>Open the wallet's checkout page</strong></a> (the desktop link) and pay there.</p>
             <p>MixPay would show these on phones and inside the wallet app:</p>
             <ul><li>deep_link: <code>${links.deep_link || '(none)'}</code></li><li>universal_url: <code>${links.universal_url || '(none)'}</code></li></ul>`
      : html`<p>${answer.body.message}</p>`}
    <p>trace_id <code>${traceId}</code> — <a href="${self}/done?trace_id=${traceId}">what MixPay's bot received</a></p>
    <h2>Request</h2><pre>${JSON.stringify(fields, null, 2)}</pre>
    <h2>Answer</h2><pre>${JSON.stringify(answer.body, null, 2)}</pre>
    <p><a href="${self}">Start again</a></p>`);
}

export interface DonePage {
  self: string;
  traceId: string;
  received: Snapshot[];
  order: SentOrder | undefined;
  now: number;
}

export function donePage({ self, traceId, received, order, now }: DonePage) {
  const mixinPage = `${self.replace(/\/mixpay-checkout$/, '/mixin')}/_sandbox/`;
  const walletLink = order ? html`<p>The customer's ${order.wallet} order: <a href="${order.checkoutUrl}">${order.checkoutUrl}</a> (shows its status).</p>` : '';
  // A transfer may still come a little after expiry (the payment was in time); then it stops.
  const expired = order !== undefined && now > order.expiredAt + 30_000;
  const waiting = !received.length && order !== undefined && !expired;
  return layout(
    html`
    <h1>Back on MixPay</h1>
    <p>trace_id <code>${traceId}</code></p>
    ${received.length
      ? html`<p role="status">MixPay's bot received ${received.map((s) => html`<strong>${s.amount.replace(/^-/, '')}</strong> of ${assetName(s.asset_id)} with memo <code>${s.memo}</code>`)} (${received.length} transfer${received.length === 1 ? '' : 's'}).</p>
             ${order?.refundedWith
               ? html`<p role="status">MixPay refunded it to the broker's bot with reason code <code>${order.refundedWith}</code>. The broker reads the refund within a few seconds and refunds the customer through ${order.wallet}: the wallet order below then shows it refunded.</p>`
               : html`<form method="post" action="${self}/refund">
                   <input type="hidden" name="trace_id" value="${traceId}">
                   <label>reason code <input name="code" value="40000" size="6"></label> (40000: payment overtime)
                   <button type="submit">Have MixPay refund it</button>
                 </form>`}`
      : waiting
        ? html`<p role="status">Waiting for the broker's transfer: it is sent once the wallet confirms the payment. This page reloads every ${WAIT_RELOAD_SECONDS} s.</p>`
        : expired && order
          ? html`<p role="status">Nothing received, and the order expired at ${new Date(order.expiredAt).toISOString()}. MixPay no longer expects this payment: if the customer paid after that, the broker refunds them through ${order.wallet} (the wallet order below shows it refunded).</p>`
          : html`<p role="status">Nothing received for this trace_id. If the customer has not paid yet, pay on the wallet's page first.</p>`}
    ${walletLink}
    <p><a href="${self}/done?trace_id=${traceId}">Reload</a> · <a href="${self}">New payment</a> · <a href="${mixinPage}">Mixin sandbox</a> (the bot's balances and snapshots)</p>`,
    waiting ? WAIT_RELOAD_SECONDS : undefined,
  );
}
