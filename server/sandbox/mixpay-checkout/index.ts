/**
 * Plays MixPay's checkout page against this server's broker endpoints (seed 000 §2), so the
 * broker flow can be tried by hand: check limits, create an order as MixPay would, pay in the
 * sandbox wallet, see what MixPay's bot received, and have MixPay refund it. The pages are in
 * pages.ts; the broker calls in broker-call.ts.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { DEV_MIXPAY_BOT_ID } from '../mixin/dev-bot.ts';
import type { MixinSandbox } from '../mixin/index.ts';
import { walletEntries } from '../../wallets/registry.ts';
import { assetRanges, callBroker, orderLinks } from './broker-call.ts';
import { donePage, orderPage, startPage, type SentOrder } from './pages.ts';

export interface MixPayCheckoutSandboxOptions {
  /** The broker's `/mixpay` base; by default this server's own. */
  brokerUrl?: string;
  /** The payee MixPay would send (any UUID works unless the broker restricts payees). */
  payeeId?: string;
  /** To show what MixPay's bot received for an order. */
  mixin?: MixinSandbox;
  /** The wallet names to offer; by default every registered wallet's kind (the development broker's names). */
  wallets?: string[];
  fetch?: typeof fetch;
  now?: () => number;
}

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self'; base-uri 'none'", 'cache-control': 'no-store' };
const DEFAULT_PAYEE = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';

export function createMixPayCheckoutSandbox(options: MixPayCheckoutSandboxOptions = {}): Hono {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const wallets = () => options.wallets ?? walletEntries().map((entry) => entry.kind);
  const brokerOf = (c: Context) => options.brokerUrl ?? `${new URL(c.req.url).origin}/mixpay`;
  const selfOf = (c: Context) => c.req.url.slice(0, c.req.url.indexOf('/mixpay-checkout') + '/mixpay-checkout'.length);
  const sent = new Map<string, SentOrder>();

  return new Hono()
    .get('/', async (c) => {
      const payee = c.req.query('payee_id') ?? options.payeeId ?? DEFAULT_PAYEE;
      const wallet = c.req.query('wallet') ?? wallets()[0] ?? '';
      const range = await callBroker(fetchImpl, `${brokerOf(c)}/assets/range?${new URLSearchParams({ payee_id: payee, wallet })}`);
      return c.html(startPage({ self: selfOf(c), payee, wallet, wallets: wallets(), range, assets: assetRanges(range.body.data) }), 200, PAGE_HEADERS);
    })
    .post('/order', async (c) => {
      const form = Object.fromEntries(new URLSearchParams(await c.req.text()));
      const traceId = randomUUID();
      const expiresIn = Math.max(1, Number(form.expires_in) || 900);
      const fields = {
        payee_id: form.payee_id ?? DEFAULT_PAYEE,
        wallet: form.wallet ?? wallets()[0] ?? '',
        asset_id: form.asset_id ?? '',
        amount: form.amount ?? '',
        trace_id: traceId,
        memo: Buffer.from(`PM|${randomUUID()}|`).toString('base64'),
        expired_at: String(Math.floor(now() / 1000) + expiresIn),
        return_url: `${selfOf(c)}/done?trace_id=${traceId}`,
        opponent_id: DEV_MIXPAY_BOT_ID,
      };
      const answer = await callBroker(fetchImpl, `${brokerOf(c)}/create_order`, { method: 'POST', body: new URLSearchParams(fields) });
      const links = orderLinks(answer);
      if (links) sent.set(traceId, { wallet: fields.wallet, assetId: fields.asset_id, amount: fields.amount, checkoutUrl: links.checkout_url, expiredAt: Number(fields.expired_at) * 1000 });
      return c.html(orderPage(selfOf(c), traceId, fields, answer, links), 200, PAGE_HEADERS);
    })
    .get('/done', (c) => {
      const traceId = c.req.query('trace_id') ?? '';
      const received = options.mixin?.transfers({ trace_id: traceId }) ?? [];
      return c.html(donePage({ self: selfOf(c), traceId, received, order: sent.get(traceId), now: now() }), 200, PAGE_HEADERS);
    })
    /** Plays MixPay's bot sending the transfer back with an RF memo, then returns to the page above. */
    .post('/refund', async (c) => {
      const form = new URLSearchParams(await c.req.text());
      const traceId = form.get('trace_id') ?? '';
      const code = /^\d{1,6}$/.test(form.get('code') ?? '') ? form.get('code')! : '40000';
      const refunded = options.mixin?.refund(traceId, code);
      const order = sent.get(traceId);
      if (refunded && order) order.refundedWith = code;
      return c.redirect(`${selfOf(c)}/done?trace_id=${encodeURIComponent(traceId)}`, 303);
    })
    // `/sandbox/mixpay-checkout/` (with the slash) and any unknown page lead to the start page.
    .get('/*', (c) => c.redirect(selfOf(c), 302));
}
