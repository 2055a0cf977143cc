/**
 * Plays MixPay's checkout page against this server's broker endpoints (seed 000 §2), so the
 * broker flow can be tried by hand: check limits, create an order as MixPay would, pay in the
 * sandbox wallet, see what MixPay's bot received, and have MixPay refund it. Plain forms, no
 * script; every value on the page goes through hono/html, which escapes it.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { DEV_MIXPAY_BOT_ID } from '../mixin/dev-bot.ts';
import type { MixinSandbox } from '../mixin/index.ts';

export interface MixPayCheckoutSandboxOptions {
  /** The broker's `/mixpay` base; by default this server's own. */
  brokerUrl?: string;
  /** The payee MixPay would send (any UUID works unless the broker restricts payees). */
  payeeId?: string;
  /** To show what MixPay's bot received for an order. */
  mixin?: MixinSandbox;
  fetch?: typeof fetch;
}

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self'; base-uri 'none'", 'cache-control': 'no-store' };
const DEFAULT_PAYEE = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';

export function createMixPayCheckoutSandbox(options: MixPayCheckoutSandboxOptions = {}): Hono {
  const fetchImpl = options.fetch ?? fetch;
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

  const app = new Hono();

  app.get('/', async (c) => {
    const payee = c.req.query('payee_id') ?? options.payeeId ?? DEFAULT_PAYEE;
    const wallet = c.req.query('wallet') ?? 'binance';
    const range = await callBroker(`${brokerOf(c)}/assets/range?${new URLSearchParams({ payee_id: payee, wallet })}`);
    const assets: Array<{ asset_id: string; min: string; max: string; fee: string }> = Array.isArray(range.body.data) ? range.body.data : [];
    return c.html(
      layout(html`
        <h1>MixPay checkout (sandbox)</h1>
        <p>This page plays MixPay: it calls the broker's <code>GET /mixpay/assets/range</code> and <code>POST /mixpay/create_order</code>.</p>
        <form method="get" action="${selfOf(c)}">
          <label>payee_id <input name="payee_id" value="${payee}" size="40"></label>
          <label>wallet <input name="wallet" value="${wallet}" size="12"></label>
          <button type="submit">Check limits</button>
        </form>
        <h2>assets/range answered code ${range.body.code}${range.body.message ? html`: ${range.body.message}` : ''}</h2>
        ${assets.map(
          (a) => html`<form method="post" action="${selfOf(c)}/order">
            <input type="hidden" name="payee_id" value="${payee}"><input type="hidden" name="wallet" value="${wallet}"><input type="hidden" name="asset_id" value="${a.asset_id}">
            <p>${a.asset_id} — min ${a.min}, max ${a.max}, fee ${a.fee}</p>
            <label>amount <input name="amount" value="${a.min}"></label>
            <label>expires in <input name="expires_in" value="900" size="6"> s</label>
            <button type="submit">Pay with ${wallet}</button>
          </form>`,
        )}
        <pre>${JSON.stringify(range.body, null, 2)}</pre>`),
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
      expired_at: String(Math.floor(Date.now() / 1000) + expiresIn),
      return_url: `${selfOf(c)}/done?trace_id=${traceId}`,
      opponent_id: DEV_MIXPAY_BOT_ID,
    };
    const answer = await callBroker(`${brokerOf(c)}/create_order`, { method: 'POST', body: new URLSearchParams(fields) });
    const links = answer.body.code === 0 ? (answer.body.data as { checkout_url: string; deep_link: string; universal_url: string }) : null;
    return c.html(
      layout(html`
        <h1>create_order answered code ${answer.body.code}</h1>
        ${links
          ? html`<p><a href="${links.checkout_url}">Open the wallet's checkout page</a> (desktop link)</p>
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
    return c.html(
      layout(html`
        <h1>Back on MixPay</h1>
        <p>trace_id <code>${traceId}</code></p>
        ${received.length
          ? html`<p role="status">MixPay's bot received ${received.map((s) => html`<strong>${s.amount.replace(/^-/, '')}</strong> of ${s.asset_id} with memo <code>${s.memo}</code>`)} (${received.length} transfer${received.length === 1 ? '' : 's'}).</p>
                 <form method="post" action="${selfOf(c).replace(/\/mixpay-checkout$/, '/mixin')}/_sandbox/refund">
                   <input type="hidden" name="trace_id" value="${traceId}">
                   <label>reason code <input name="code" value="40000" size="6"></label>
                   <button type="submit">Have MixPay refund it</button>
                 </form>`
          : html`<p role="status">Nothing received yet: the broker transfers once the wallet confirms payment. Reload in a few seconds.</p>`}
        <p><a href="${selfOf(c)}/done?trace_id=${traceId}">Reload</a> · <a href="${selfOf(c)}">New payment</a> · <a href="${selfOf(c).replace(/\/mixpay-checkout$/, '/mixin')}/_sandbox/">Mixin sandbox</a></p>`),
      200,
      PAGE_HEADERS,
    );
  });

  // `/sandbox/mixpay-checkout/` (with the slash) and any unknown page lead to the start page.
  app.get('/*', (c) => c.redirect(selfOf(c), 302));

  return app;
}

function layout(body: ReturnType<typeof html>) {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>MixPay checkout sandbox</title></head><body>
    <p><strong>Sandbox: no real money moves.</strong></p>${body}</body></html>`;
}
