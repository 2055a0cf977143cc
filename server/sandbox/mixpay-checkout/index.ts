/**
 * Plays MixPay's checkout page against this server's broker endpoints (seed 000 §2), so the
 * broker flow can be tried by hand: check limits, create an order as MixPay would, pay in the
 * sandbox wallet, see what MixPay's bot received, and have MixPay refund it. Plain forms, no
 * script; every value on the page goes through hono/html, which escapes it.
 */
import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { DEV_MIXPAY_BOT_ID } from '../mixin/dev-bot.ts';
import { SANDBOX_ASSETS, type MixinSandbox } from '../mixin/index.ts';
export interface MixPayCheckoutSandboxOptions {
  /** The broker's `/mixpay` base; by default this server's own. */
  brokerUrl?: string;
  /** The payee MixPay would send (any UUID works unless the broker restricts payees). */
  payeeId?: string;
  /** To show what MixPay's bot received for an order. */
  mixin?: MixinSandbox;
  fetch?: typeof fetch;
  now?: () => number;
}

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self'; base-uri 'none'", 'cache-control': 'no-store' };
/** How often the return page reloads itself while it waits for the broker's transfer. */
const WAIT_RELOAD_SECONDS = 2;

/** What this page asked the broker for and got back, so the return page can link the wallet. */
interface SentOrder {
  wallet: string;
  assetId: string;
  amount: string;
  checkoutUrl: string;
  /** Milliseconds, as sent in expired_at (seconds). */
  expiredAt: number;
  refundedWith?: string;
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
const DEFAULT_PAYEE = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';

export function createMixPayCheckoutSandbox(options: MixPayCheckoutSandboxOptions = {}): Hono {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const brokerOf = (c: Context) => options.brokerUrl ?? `${new URL(c.req.url).origin}/mixpay`;
  const selfOf = (c: Context) => c.req.url.slice(0, c.req.url.indexOf('/mixpay-checkout') + '/mixpay-checkout'.length);

  const callBroker = async (url: string, init?: RequestInit) => {
    try {
      const response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(15_000) });
      const text = await response.text();
      try {
        return { status: response.status, body: JSON.parse(text) as { code: number; message: string; data: any } };
      } catch {
        return { status: response.status, body: { code: -1, message: `not JSON: ${text.slice(0, 200)}`, data: [] } };
      }
    } catch (error) {
      return { status: 0, body: { code: -1, message: (error as Error).message, data: [] } };
    }
  };

  const sent = new Map<string, SentOrder>();
  const app = new Hono();

  app.get('/', async (c) => {
    const payee = c.req.query('payee_id') ?? options.payeeId ?? DEFAULT_PAYEE;
    const wallet = c.req.query('wallet') ?? 'binance';
    const range = await callBroker(`${brokerOf(c)}/assets/range?${new URLSearchParams({ payee_id: payee, wallet })}`);
    const assets: Array<{ asset_id: string; min: string; max: string; fee: string }> = Array.isArray(range.body.data) ? range.body.data : [];
    return c.html(
      layout(html`
        <h1>MixPay checkout (sandbox)</h1>
        <p>This page plays MixPay calling this server's broker, as seed 000 describes. To try the whole flow:</p>
        <ol>
          <li>Pick a wallet and press <em>Check limits</em>: the page calls <code>GET /mixpay/assets/range</code>.</li>
          <li>Choose an amount and press <em>Pay with …</em>: the page calls <code>POST /mixpay/create_order</code>.</li>
          <li>Open the wallet's checkout page and pay there, as the customer. The wallet sends you back here.</li>
          <li>The broker transfers exactly the amount to MixPay's bot; the return page shows it arrive.</li>
          <li>Optionally have MixPay refund it: the broker then refunds the customer through the wallet.</li>
        </ol>
        <form method="get" action="${selfOf(c)}">
          <label>payee_id <input name="payee_id" value="${payee}" size="40"></label>
          <label>wallet <select name="wallet">${['binance', 'mugglepay'].concat(['binance', 'mugglepay'].includes(wallet) ? [] : [wallet]).map((w) => html`<option value="${w}" ${w === wallet ? 'selected' : ''}>${w}</option>`)}</select></label>
          <button type="submit">Check limits</button>
        </form>
        <h2>assets/range answered code ${range.body.code}${range.body.message ? html`: ${range.body.message}` : ''}</h2>
        ${assets.length ? html`<p>The customer pays the amount plus the broker's fee; MixPay's bot receives exactly the amount.</p>` : ''}
        ${assets.map(
          (a) => html`<form method="post" action="${selfOf(c)}/order">
            <input type="hidden" name="payee_id" value="${payee}"><input type="hidden" name="wallet" value="${wallet}"><input type="hidden" name="asset_id" value="${a.asset_id}">
            <p>${assetName(a.asset_id)}: from ${a.min} to ${a.max}, fee ${percent(a.fee)}</p>
            <label>amount <input name="amount" value="${a.min}"></label>
            <label>expires in <input name="expires_in" value="900" size="6"> s</label>
            <button type="submit">Pay with ${wallet}</button>
          </form>`,
        )}
        <details><summary>Raw answer</summary>
        <pre>${JSON.stringify(range.body, null, 2)}</pre></details>`),
      200,
      PAGE_HEADERS,
    );
  });

  app.post('/order', async (c) => {
    const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
    const traceId = randomUUID();
    const expiresIn = Math.max(1, Number(form.expires_in) || 900);
    const fields = {
      payee_id: form.payee_id ?? DEFAULT_PAYEE,
      wallet: form.wallet ?? 'binance',
      asset_id: form.asset_id ?? '',
      amount: form.amount ?? '',
      trace_id: traceId,
      memo: Buffer.from(`PM|${randomUUID()}|`).toString('base64'),
      expired_at: String(Math.floor(now() / 1000) + expiresIn),
      return_url: `${selfOf(c)}/done?trace_id=${traceId}`,
      opponent_id: DEV_MIXPAY_BOT_ID,
    };
    const answer = await callBroker(`${brokerOf(c)}/create_order`, { method: 'POST', body: new URLSearchParams(fields) });
    const links = answer.body.code === 0 ? (answer.body.data as { checkout_url: string; deep_link: string; universal_url: string }) : null;
    if (links) sent.set(traceId, { wallet: fields.wallet, assetId: fields.asset_id, amount: fields.amount, checkoutUrl: links.checkout_url, expiredAt: Number(fields.expired_at) * 1000 });
    return c.html(
      layout(html`
        <h1>create_order answered code ${answer.body.code}</h1>
        ${links
          ? html`<p>Next, as the customer: <a href="${links.checkout_url}"><strong>Open the wallet's checkout page</strong></a> (the desktop link) and pay there.</p>
                 <p>MixPay would show these on phones and inside the wallet app:</p>
                 <ul><li>deep_link: <code>${links.deep_link || '(none)'}</code></li><li>universal_url: <code>${links.universal_url || '(none)'}</code></li></ul>`
          : html`<p>${answer.body.message}</p>`}
        <p>trace_id <code>${traceId}</code> — <a href="${selfOf(c)}/done?trace_id=${traceId}">what MixPay's bot received</a></p>
        <h2>Request</h2><pre>${JSON.stringify(fields, null, 2)}</pre>
        <h2>Answer</h2><pre>${JSON.stringify(answer.body, null, 2)}</pre>
        <p><a href="${selfOf(c)}">Start again</a></p>`),
      200,
      PAGE_HEADERS,
    );
  });

  app.get('/done', (c) => {
    const traceId = c.req.query('trace_id') ?? '';
    const received = options.mixin?.transfers({ trace_id: traceId }) ?? [];
    const order = sent.get(traceId);
    const mixinPage = `${selfOf(c).replace(/\/mixpay-checkout$/, '/mixin')}/_sandbox/`;
    const walletLink = order ? html`<p>The customer's ${order.wallet} order: <a href="${order.checkoutUrl}">${order.checkoutUrl}</a> (shows its status).</p>` : '';
    // A transfer may still come a little after expiry (the payment was in time); then it stops.
    const expired = order !== undefined && now() > order.expiredAt + 30_000;
    const waiting = !received.length && order !== undefined && !expired;
    return c.html(
      layout(
        html`
        <h1>Back on MixPay</h1>
        <p>trace_id <code>${traceId}</code></p>
        ${received.length
          ? html`<p role="status">MixPay's bot received ${received.map((s) => html`<strong>${s.amount.replace(/^-/, '')}</strong> of ${assetName(s.asset_id)} with memo <code>${s.memo}</code>`)} (${received.length} transfer${received.length === 1 ? '' : 's'}).</p>
                 ${order?.refundedWith
                   ? html`<p role="status">MixPay refunded it to the broker's bot with reason code <code>${order.refundedWith}</code>. The broker reads the refund within a few seconds and refunds the customer through ${order.wallet}: the wallet order below then shows it refunded.</p>`
                   : html`<form method="post" action="${selfOf(c)}/refund">
                       <input type="hidden" name="trace_id" value="${traceId}">
                       <label>reason code <input name="code" value="40000" size="6"></label> (40000: payment overtime)
                       <button type="submit">Have MixPay refund it</button>
                     </form>`}`
          : waiting
            ? html`<p role="status">Waiting for the broker's transfer: it is sent once the wallet confirms the payment. This page reloads every ${WAIT_RELOAD_SECONDS} s.</p>`
            : expired
              ? html`<p role="status">Nothing received, and the order expired at ${new Date(order!.expiredAt).toISOString()}. MixPay no longer expects this payment: if the customer paid after that, the broker refunds them through ${order!.wallet} (the wallet order below shows it refunded).</p>`
              : html`<p role="status">Nothing received for this trace_id. If the customer has not paid yet, pay on the wallet's page first.</p>`}
        ${walletLink}
        <p><a href="${selfOf(c)}/done?trace_id=${traceId}">Reload</a> · <a href="${selfOf(c)}">New payment</a> · <a href="${mixinPage}">Mixin sandbox</a> (the bot's balances and snapshots)</p>`,
        waiting ? WAIT_RELOAD_SECONDS : undefined,
      ),
      200,
      PAGE_HEADERS,
    );
  });

  /** Plays MixPay's bot sending the transfer back with an RF memo, then returns to the page above. */
  app.post('/refund', async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const traceId = form.get('trace_id') ?? '';
    const code = /^\d{1,6}$/.test(form.get('code') ?? '') ? form.get('code')! : '40000';
    const refunded = options.mixin?.refund(traceId, code);
    const order = sent.get(traceId);
    if (refunded && order) order.refundedWith = code;
    return c.redirect(`${selfOf(c)}/done?trace_id=${encodeURIComponent(traceId)}`, 303);
  });

  // `/sandbox/mixpay-checkout/` (with the slash) and any unknown page lead to the start page.
  app.get('/*', (c) => c.redirect(selfOf(c), 302));

  return app;
}

function layout(body: ReturnType<typeof html>, reloadSeconds?: number) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">${reloadSeconds ? html`<meta http-equiv="refresh" content="${reloadSeconds}">` : ''}<title>MixPay checkout sandbox</title></head><body>
    <p><strong>Sandbox: no real money moves.</strong></p>${body}</body></html>`;
}
