/**
 * A stand-in for api.mixin.one as a broker bot sees it (contracts §3): assets with balances,
 * `POST /transfers` that checks the JWT and PIN, deducts, and de-duplicates on trace_id,
 * `GET /snapshots` with memos, and control calls under `/_sandbox` to play MixPay's bot (send the
 * broker a refund), fund a bot, inspect transfers and receive the broker's alerts.
 */
import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { decryptPin, verifyMixinRequest, type RegisteredSession } from './auth.ts';
import { DEV_BROKER_BOT, DEV_MIXPAY_BOT_ID, DEV_SERVER_PRIVATE_SEED } from './dev-bot.ts';
import { isUuid } from '../../core/ids.ts';
import { encodeMixPayMemo } from '../../core/mixpay-memo.ts';

export interface SandboxBot extends RegisteredSession {
  /** Hex PIN the bot must send (encrypted); unset accepts any non-empty PIN. */
  pin?: string;
  balances?: Record<string, string>;
}

export interface MixinSandboxOptions {
  bots?: SandboxBot[];
  /** Seed of the server key whose public half the bots use to encrypt their PIN. */
  serverPrivateSeed?: string;
  /** The Mixin user that plays MixPay's bot (sends refunds). */
  mixpayBotId?: string;
  now?: () => number;
  /** Called after a transfer is booked and before it is answered; tests make it hang to play a lost answer. */
  afterTransfer?: (snapshot: Snapshot) => Promise<void>;
}

export interface Snapshot {
  type: 'transfer';
  snapshot_id: string;
  /** The user whose ledger this line is in. */
  user_id: string;
  asset_id: string;
  amount: string;
  opening_balance: string;
  closing_balance: string;
  opponent_id: string;
  trace_id: string;
  memo: string;
  created_at: string;
  transaction_hash: string;
}

export const SANDBOX_ASSETS: Record<string, { symbol: string; name: string; price_usd: string }> = {
  '4d8c508b-91c5-375b-92b0-ee702ed2dac5': { symbol: 'USDT', name: 'Tether USD', price_usd: '1' },
  'c6d0c728-2624-429b-8e0d-d9d19b6592fa': { symbol: 'BTC', name: 'Bitcoin', price_usd: '60000' },
  'c94ac88f-4671-3976-b60a-09064f1811e8': { symbol: 'XIN', name: 'Mixin', price_usd: '100' },
};

const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;

/** Mixin answers errors inside a 2xx with `{error}` (status 202 on the real API; unconfirmed). */
function mixinError(c: Context, status: number, code: number, description: string) {
  return c.json({ error: { status, code, description } }, 202);
}

export interface MixinSandbox {
  app: Hono;
  balanceOf(userId: string, assetId: string): string;
  /** Outgoing transfers, newest last. */
  transfers(filter?: { opponent_id?: string; trace_id?: string }): Snapshot[];
  alerts: Array<{ headers: Record<string, string>; body: string }>;
  /** Plays MixPay's bot refunding the broker transfer with this trace_id; null when there is none. */
  refund(traceId: string, code: string): Snapshot | null;
  stop(): void;
}

export function createMixinSandbox(options: MixinSandboxOptions = {}): MixinSandbox {
  const now = options.now ?? Date.now;
  const serverSeed = options.serverPrivateSeed ?? DEV_SERVER_PRIVATE_SEED;
  const mixpayBot = options.mixpayBotId ?? DEV_MIXPAY_BOT_ID;
  const bots = options.bots ?? [{ ...DEV_BROKER_BOT, pin: '123456', balances: { '4d8c508b-91c5-375b-92b0-ee702ed2dac5': '1000', 'c6d0c728-2624-429b-8e0d-d9d19b6592fa': '0.1' } }];
  const sessions = new Map(bots.map((b) => [b.app_id, b]));
  const balances = new Map<string, Map<string, Big>>();
  const ledger: Snapshot[] = [];
  const byTrace = new Map<string, Snapshot>();
  const alerts: MixinSandbox['alerts'] = [];
  let lastNanos = 0n;

  const wallet = (userId: string) => {
    let map = balances.get(userId);
    if (!map) balances.set(userId, (map = new Map()));
    return map;
  };
  for (const bot of bots) for (const [asset, amount] of Object.entries(bot.balances ?? {})) wallet(bot.app_id).set(asset, new Big(amount));
  wallet(mixpayBot).set('4d8c508b-91c5-375b-92b0-ee702ed2dac5', new Big('1000000'));
  wallet(mixpayBot).set('c6d0c728-2624-429b-8e0d-d9d19b6592fa', new Big('100'));

  /** RFC 3339 with nanoseconds, strictly increasing, so `offset` paging never skips a line. */
  const timestamp = () => {
    let nanos = BigInt(now()) * 1_000_000n;
    if (nanos <= lastNanos) nanos = lastNanos + 1n;
    lastNanos = nanos;
    const ms = Number(nanos / 1_000_000n);
    return `${new Date(ms).toISOString().slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}Z`;
  };

  /** Moves money between two users and writes both ledger lines; returns the sender's. */
  const book = (from: string, to: string, assetId: string, amount: string, traceId: string, memo: string): Snapshot => {
    const value = new Big(amount);
    const fromWallet = wallet(from);
    const toWallet = wallet(to);
    const fromOpening = fromWallet.get(assetId) ?? new Big(0);
    const toOpening = toWallet.get(assetId) ?? new Big(0);
    fromWallet.set(assetId, fromOpening.minus(value));
    toWallet.set(assetId, toOpening.plus(value));
    const created_at = timestamp();
    const transaction_hash = randomUUID().replace(/-/g, '').repeat(2);
    const out: Snapshot = {
      type: 'transfer', snapshot_id: randomUUID(), user_id: from, asset_id: assetId, amount: `-${value.toFixed()}`,
      opening_balance: fromOpening.toFixed(), closing_balance: fromOpening.minus(value).toFixed(), opponent_id: to, trace_id: traceId, memo, created_at, transaction_hash,
    };
    const inbound: Snapshot = {
      ...out, snapshot_id: randomUUID(), user_id: to, amount: value.toFixed(), opening_balance: toOpening.toFixed(), closing_balance: toOpening.plus(value).toFixed(), opponent_id: from,
    };
    ledger.push(out, inbound);
    byTrace.set(traceId, out);
    return out;
  };

  const publicSnapshot = ({ user_id: _user, ...rest }: Snapshot) => rest;

  /** MixPay's bot sends a transfer back with memo base64(RF|trace|code), as contracts §1 shows. */
  const refund = (traceId: string, code: string): Snapshot | null => {
    const original = byTrace.get(traceId);
    if (!original) return null;
    return book(mixpayBot, original.user_id, original.asset_id, new Big(original.amount).abs().toFixed(), randomUUID(), encodeMixPayMemo('RF', traceId, code));
  };

  const app = new Hono();

  // Every API call (not /_sandbox) must carry a valid JWT for a registered bot.
  app.use('*', async (c, next) => {
    if (c.req.path.includes('/_sandbox')) return next();
    const url = new URL(c.req.url);
    const body = ['POST', 'PUT', 'PATCH'].includes(c.req.method) ? await c.req.text() : '';
    const auth = verifyMixinRequest(c.req.header('authorization'), c.req.method, url.pathname + url.search, body, sessions, Math.floor(now() / 1000));
    if (!auth.ok) return mixinError(c, 401, 401, `Unauthorized, maybe invalid token: ${auth.reason}`);
    c.set('bot' as never, auth.session.app_id as never);
    c.set('body' as never, body as never);
    return next();
  });

  const botOf = (c: Context) => c.get('bot' as never) as string;
  const assetView = (userId: string, assetId: string) => {
    const info = SANDBOX_ASSETS[assetId]!;
    return { type: 'asset', asset_id: assetId, chain_id: assetId, symbol: info.symbol, name: info.name, price_usd: info.price_usd, balance: (wallet(userId).get(assetId) ?? new Big(0)).toFixed(8) };
  };

  app.get('/assets', (c) => c.json({ data: Object.keys(SANDBOX_ASSETS).map((id) => assetView(botOf(c), id)) }));
  app.get('/assets/:id', (c) => {
    const id = c.req.param('id');
    if (!SANDBOX_ASSETS[id]) return mixinError(c, 404, 404, 'The endpoint is not found.');
    return c.json({ data: assetView(botOf(c), id) });
  });
  app.get('/me', (c) => c.json({ data: { type: 'user', user_id: botOf(c), full_name: 'Sandbox broker bot' } }));

  app.post('/transfers', async (c) => {
    const bot = botOf(c);
    let request: { asset_id?: unknown; opponent_id?: unknown; amount?: unknown; trace_id?: unknown; memo?: unknown; pin?: unknown };
    try {
      request = JSON.parse(c.get('body' as never) as string);
    } catch {
      return mixinError(c, 400, 10002, 'The request body can’t be parsed as valid data.');
    }
    const { asset_id, opponent_id, amount, trace_id, memo = '', pin } = request;
    if (typeof asset_id !== 'string' || !SANDBOX_ASSETS[asset_id]) return mixinError(c, 400, 10002, 'asset_id is invalid');
    if (typeof opponent_id !== 'string' || !isUuid(opponent_id)) return mixinError(c, 400, 10002, 'opponent_id is invalid');
    if (typeof amount !== 'string' || !AMOUNT.test(amount) || new Big(amount).lte(0)) return mixinError(c, 400, 10002, 'amount is invalid');
    if (typeof trace_id !== 'string' || !isUuid(trace_id)) return mixinError(c, 400, 10002, 'trace_id is invalid');
    // Counted in UTF-8 bytes, the strictest reading of Mixin's 200 (the broker checks the same).
    if (typeof memo !== 'string' || Buffer.byteLength(memo, 'utf8') > 200) return mixinError(c, 400, 10002, 'memo is too long');
    const session = sessions.get(bot)!;
    const clear = typeof pin === 'string' ? decryptPin(pin, serverSeed, session.session_public_key) : null;
    const expected = (session as SandboxBot).pin;
    if (!clear || (expected !== undefined && clear !== expected)) return mixinError(c, 400, 20119, 'PIN is incorrect.');
    // Mixin de-duplicates on trace_id: the same trace moves money once and returns the same snapshot.
    const earlier = byTrace.get(trace_id);
    if (earlier) {
      if (earlier.user_id !== bot || earlier.asset_id !== asset_id || earlier.opponent_id !== opponent_id || !new Big(earlier.amount).abs().eq(amount)) {
        return mixinError(c, 400, 20125, 'The trace_id was already used for a different transfer.');
      }
      return c.json({ data: publicSnapshot(earlier) });
    }
    if ((wallet(bot).get(asset_id) ?? new Big(0)).lt(new Big(amount))) return mixinError(c, 400, 20117, 'Insufficient balance.');
    const snapshot = book(bot, opponent_id, asset_id, amount, trace_id, memo);
    if (options.afterTransfer) await options.afterTransfer(snapshot);
    return c.json({ data: publicSnapshot(snapshot) });
  });

  app.get('/transfers/trace/:trace', (c) => {
    const found = byTrace.get(c.req.param('trace'));
    if (!found || (found.user_id !== botOf(c) && found.opponent_id !== botOf(c))) return mixinError(c, 404, 404, 'The endpoint is not found.');
    return c.json({ data: publicSnapshot(found) });
  });

  app.get('/snapshots', (c) => {
    const limit = Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500);
    const offset = c.req.query('offset') ?? '';
    const asc = (c.req.query('order') ?? 'DESC').toUpperCase() === 'ASC';
    const asset = c.req.query('asset');
    const opponent = c.req.query('opponent');
    let lines = ledger.filter((s) => s.user_id === botOf(c) && (!asset || s.asset_id === asset) && (!opponent || s.opponent_id === opponent));
    if (asc) lines = lines.filter((s) => !offset || s.created_at > offset);
    else lines = lines.filter((s) => !offset || s.created_at < offset).reverse();
    return c.json({ data: lines.slice(0, limit).map(publicSnapshot) });
  });

  // ---- control calls (no auth): the other parties in the story ----

  /** MixPay's bot refunds a broker transfer: the amount goes back with memo base64(RF|trace|code). */
  app.post('/_sandbox/refund', async (c) => {
    const input = await readInput(c);
    const trace = String(input.trace_id ?? '');
    const code = String(input.code ?? '40000');
    const original = byTrace.get(trace);
    const to = String(input.user_id ?? original?.user_id ?? bots[0]?.app_id ?? '');
    const asset = String(input.asset_id ?? original?.asset_id ?? '');
    const amount = String(input.amount ?? (original ? new Big(original.amount).abs().toFixed() : ''));
    if (!SANDBOX_ASSETS[asset] || !AMOUNT.test(amount) || !to) return c.json({ error: 'give trace_id of a transfer, or asset_id, amount and user_id' }, 400);
    const snapshot = book(mixpayBot, to, asset, amount, randomUUID(), encodeMixPayMemo('RF', trace, code));
    return wantsHtml(c) ? c.redirect('./', 303) : c.json({ data: publicSnapshot(snapshot) });
  });

  /** Anyone sends the bot money (a top-up, or a transfer the broker cannot match). */
  app.post('/_sandbox/deposit', async (c) => {
    const input = await readInput(c);
    const to = String(input.user_id ?? bots[0]?.app_id ?? '');
    const asset = String(input.asset_id ?? '');
    const amount = String(input.amount ?? '');
    if (!SANDBOX_ASSETS[asset] || !AMOUNT.test(amount)) return c.json({ error: 'asset_id and amount are required' }, 400);
    const from = String(input.opponent_id ?? randomUUID());
    const snapshot = book(from, to, asset, amount, randomUUID(), String(input.memo ?? ''));
    return wantsHtml(c) ? c.redirect('./', 303) : c.json({ data: publicSnapshot(snapshot) });
  });

  app.get('/_sandbox/transfers', (c) => c.json({ data: sandbox.transfers({ opponent_id: c.req.query('opponent_id'), trace_id: c.req.query('trace_id') }).map(publicSnapshot) }));
  app.get('/_sandbox/balances/:user', (c) => c.json({ data: Object.fromEntries([...wallet(c.req.param('user'))].map(([k, v]) => [k, v.toFixed()])) }));

  /** The development broker's alert URL: keeps what arrives, for the page and for tests. */
  app.post('/_sandbox/alerts', async (c) => {
    alerts.push({ headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
    return c.json({ ok: true });
  });
  app.get('/_sandbox/alerts', (c) => c.json({ data: alerts }));

  app.get('/_sandbox/', (c) => c.html(controlPage(bots.map((b) => b.app_id), wallet, ledger, alerts.length), 200, { 'content-security-policy': "default-src 'none'; form-action 'self'" }));

  const sandbox: MixinSandbox = {
    app,
    balanceOf: (userId, assetId) => (wallet(userId).get(assetId) ?? new Big(0)).toFixed(),
    transfers: (filter = {}) =>
      ledger.filter((s) => new Big(s.amount).lt(0) && (!filter.opponent_id || s.opponent_id === filter.opponent_id) && (!filter.trace_id || s.trace_id === filter.trace_id)),
    alerts,
    refund,
    stop: () => {},
  };
  return sandbox;
}

async function readInput(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (type.includes('json')) return ((await c.req.json().catch(() => ({}))) ?? {}) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(await c.req.text()));
}

function wantsHtml(c: Context): boolean {
  return (c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded');
}

function controlPage(botIds: string[], wallet: (id: string) => Map<string, Big>, ledger: Snapshot[], alertCount: number) {
  const recent = ledger.filter((s) => botIds.includes(s.user_id)).slice(-20).reverse();
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mixin sandbox</title></head><body>
    <h1>Mixin sandbox (no real money)</h1>
    ${botIds.map(
      (id) => html`<h2>Bot ${id}</h2><ul>${[...wallet(id)].map(([asset, v]) => html`<li>${SANDBOX_ASSETS[asset]?.symbol ?? asset}: ${v.toFixed()}</li>`)}</ul>`,
    )}
    <h2>Play MixPay: refund a broker transfer</h2>
    <form method="post" action="refund">
      <label>trace_id <input name="trace_id" required size="40"></label>
      <label>reason code <input name="code" value="40000" size="6"></label>
      <button type="submit">Send refund to the broker bot</button>
    </form>
    <h2>Send the bot an unexpected transfer</h2>
    <form method="post" action="deposit">
      <input type="hidden" name="asset_id" value="4d8c508b-91c5-375b-92b0-ee702ed2dac5">
      <label>USDT <input name="amount" value="1"></label> <label>memo <input name="memo" value="hello"></label>
      <button type="submit">Deposit</button>
    </form>
    <p>${alertCount} alert(s) received — <a href="alerts">JSON</a></p>
    <h2>Recent snapshots</h2>
    <table><tr><th>time</th><th>amount</th><th>asset</th><th>opponent</th><th>trace</th><th>memo</th></tr>
    ${recent.map((s) => html`<tr><td>${s.created_at}</td><td>${s.amount}</td><td>${SANDBOX_ASSETS[s.asset_id]?.symbol}</td><td>${s.opponent_id}</td><td>${s.trace_id}</td><td>${s.memo}</td></tr>`)}
    </table></body></html>`;
}
