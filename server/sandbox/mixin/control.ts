/**
 * Control calls of the sandbox Mixin, under `/_sandbox/` and without auth: the other parties in the
 * story. MixPay's bot refunds a broker transfer, anyone deposits to the bot, tests read transfers
 * and balances, and the development broker's alerts land here.
 */
import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { encodeMixPayMemo } from '../../core/mixpay-memo.ts';
import { controlPage } from './control-page.ts';
import { AMOUNT, SANDBOX_ASSETS, publicSnapshot, type MixinLedger } from './ledger.ts';

export interface ReceivedAlert {
  headers: Record<string, string>;
  body: string;
}

export interface MixinControlState {
  ledger: MixinLedger;
  botIds: string[];
  alerts: ReceivedAlert[];
}

const PAGE_HEADERS = { 'content-security-policy': "default-src 'none'; form-action 'self'" };

/** A control call's fields, from JSON or from one of the page's forms. */
async function readInput(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('json')) return Object.fromEntries(new URLSearchParams(await c.req.text()));
  const body: unknown = await c.req.json().catch(() => ({}));
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

/** The page's forms are answered with a redirect back to it; JSON callers get the snapshot. */
function wantsHtml(c: Context): boolean {
  return (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');
}

export function mixinControl({ ledger, botIds, alerts }: MixinControlState) {
  return new Hono()
    /** MixPay's bot refunds a broker transfer: the amount goes back with memo base64(RF|trace|code). */
    .post('/_sandbox/refund', async (c) => {
      const input = await readInput(c);
      const trace = input.trace_id ?? '';
      const code = input.code ?? '40000';
      const original = ledger.byTraceId(trace);
      const to = input.user_id ?? original?.user_id ?? botIds[0] ?? '';
      const asset = input.asset_id ?? original?.asset_id ?? '';
      const amount = input.amount ?? (original ? new Big(original.amount).abs().toFixed() : '');
      if (!SANDBOX_ASSETS[asset] || !AMOUNT.test(amount) || !to) return c.json({ error: 'give trace_id of a transfer, or asset_id, amount and user_id' }, 400);
      const snapshot = ledger.book(ledger.mixpayBotId, to, asset, amount, randomUUID(), encodeMixPayMemo('RF', trace, code));
      return wantsHtml(c) ? c.redirect('./', 303) : c.json({ data: publicSnapshot(snapshot) });
    })
    /** Anyone sends the bot money (a top-up, or a transfer the broker cannot match). */
    .post('/_sandbox/deposit', async (c) => {
      const input = await readInput(c);
      const to = input.user_id ?? botIds[0] ?? '';
      const asset = input.asset_id ?? '';
      const amount = input.amount ?? '';
      if (!SANDBOX_ASSETS[asset] || !AMOUNT.test(amount)) return c.json({ error: 'asset_id and amount are required' }, 400);
      const snapshot = ledger.book(input.opponent_id ?? randomUUID(), to, asset, amount, randomUUID(), input.memo ?? '');
      return wantsHtml(c) ? c.redirect('./', 303) : c.json({ data: publicSnapshot(snapshot) });
    })
    .get('/_sandbox/transfers', (c) => c.json({ data: ledger.transfers({ opponent_id: c.req.query('opponent_id'), trace_id: c.req.query('trace_id') }).map(publicSnapshot) }))
    .get('/_sandbox/balances/:user', (c) => c.json({ data: Object.fromEntries([...ledger.walletOf(c.req.param('user'))].map(([k, v]) => [k, v.toFixed()])) }))
    /** The development broker's alert URL: keeps what arrives, for the page and for tests. */
    .post('/_sandbox/alerts', async (c) => {
      alerts.push({ headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
      return c.json({ ok: true });
    })
    .get('/_sandbox/alerts', (c) => c.json({ data: alerts }))
    .get('/_sandbox/', (c) => c.html(controlPage(botIds, ledger, alerts.length), 200, PAGE_HEADERS));
}
