/**
 * The sandbox Mixin's API as a bot sees it (contracts §3): assets with balances, `POST /transfers`
 * that checks the PIN, deducts and de-duplicates on trace_id, and `GET /snapshots`. Every call must
 * carry a valid JWT for a registered bot (auth.ts); the bot and the raw body reach the handlers as
 * typed context variables.
 */
import Big from 'big.js';
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { isUuid } from '../../core/ids.ts';
import { isSdkPin } from '../../mixin/pin.ts';
import { decryptPin, verifyMixinRequest, type RegisteredSession } from './auth.ts';
import { AMOUNT, SANDBOX_ASSETS, publicSnapshot, type MixinLedger, type Snapshot } from './ledger.ts';

export interface SandboxBot extends RegisteredSession {
  /** Hex PIN the bot must send (encrypted); unset accepts any PIN the SDK can send. */
  pin?: string;
  balances?: Record<string, string>;
}

export interface MixinApiState {
  ledger: MixinLedger;
  sessions: Map<string, SandboxBot>;
  /** Seed of the server key whose public half the bots use to encrypt their PIN. */
  serverSeed: string;
  now: () => number;
  /** Called after a transfer is booked and before it is answered; tests make it hang to play a lost answer. */
  afterTransfer?: (snapshot: Snapshot) => Promise<void>;
}

export type MixinApiEnv = { Variables: { bot: SandboxBot; body: string } };

/** Mixin answers errors inside a 2xx with `{error}` (status 202 on the real API; unconfirmed). */
export const MIXIN_ERROR_HTTP_STATUS = 202;

export function mixinError(c: Context, status: number, code: number, description: string) {
  return c.json({ error: { status, code, description } }, MIXIN_ERROR_HTTP_STATUS);
}

interface TransferBody {
  asset_id?: unknown;
  opponent_id?: unknown;
  amount?: unknown;
  trace_id?: unknown;
  memo?: unknown;
  pin?: unknown;
}

/** Refuses any call without a valid bot JWT; passes the bot and the raw body on. */
function requireBot(state: MixinApiState) {
  return createMiddleware<MixinApiEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const body = ['POST', 'PUT', 'PATCH'].includes(c.req.method) ? await c.req.text() : '';
    const request = { authorization: c.req.header('authorization'), requestId: c.req.header('x-request-id'), method: c.req.method, pathWithQuery: url.pathname + url.search, body };
    const auth = verifyMixinRequest(request, state.sessions, Math.floor(state.now() / 1000));
    if (!auth.ok) return mixinError(c, 401, 401, `Unauthorized, maybe invalid token: ${auth.reason}`);
    c.set('bot', state.sessions.get(auth.session.app_id)!);
    c.set('body', body);
    await next();
  });
}

export function mixinApi(state: MixinApiState) {
  const { ledger } = state;
  const assetView = (userId: string, assetId: string) => {
    const info = SANDBOX_ASSETS[assetId]!;
    return { type: 'asset', asset_id: assetId, chain_id: assetId, symbol: info.symbol, name: info.name, price_usd: info.price_usd, balance: ledger.balanceOf(userId, assetId).toFixed(8) };
  };

  return new Hono<MixinApiEnv>()
    .use('*', requireBot(state))
    .get('/assets', (c) => c.json({ data: Object.keys(SANDBOX_ASSETS).map((id) => assetView(c.var.bot.app_id, id)) }))
    .get('/assets/:id', (c) => {
      const id = c.req.param('id');
      if (!SANDBOX_ASSETS[id]) return mixinError(c, 404, 404, 'The endpoint is not found.');
      return c.json({ data: assetView(c.var.bot.app_id, id) });
    })
    .get('/me', (c) => c.json({ data: { type: 'user', user_id: c.var.bot.app_id, full_name: 'Sandbox broker bot' } }))
    .post('/transfers', async (c) => {
      const bot = c.var.bot;
      let request: TransferBody;
      try {
        request = JSON.parse(c.var.body) as TransferBody;
      } catch {
        return mixinError(c, 400, 10002, 'The request body can’t be parsed as valid data.');
      }
      const { asset_id, opponent_id, amount, trace_id, memo = '', pin } = request ?? {};
      if (typeof asset_id !== 'string' || !SANDBOX_ASSETS[asset_id]) return mixinError(c, 400, 10002, 'asset_id is invalid');
      if (typeof opponent_id !== 'string' || !isUuid(opponent_id)) return mixinError(c, 400, 10002, 'opponent_id is invalid');
      if (typeof amount !== 'string' || !AMOUNT.test(amount) || new Big(amount).lte(0)) return mixinError(c, 400, 10002, 'amount is invalid');
      if (typeof trace_id !== 'string' || !isUuid(trace_id)) return mixinError(c, 400, 10002, 'trace_id is invalid');
      // Counted in UTF-8 bytes, the strictest reading of Mixin's 200 (the broker checks the same).
      if (typeof memo !== 'string' || Buffer.byteLength(memo, 'utf8') > 200) return mixinError(c, 400, 10002, 'memo is too long');
      const clear = typeof pin === 'string' ? decryptPin(pin, state.serverSeed, bot.session_public_key) : null;
      // A PIN the SDK mangled (a 6-digit PIN hex-decoded into 3 bytes) is refused, as Mixin would.
      if (!clear || !isSdkPin(clear) || (bot.pin !== undefined && clear !== bot.pin.toLowerCase())) return mixinError(c, 400, 20119, 'PIN is incorrect.');
      // Mixin de-duplicates on trace_id: the same trace moves money once and returns the same snapshot.
      const earlier = ledger.byTraceId(trace_id);
      if (earlier) {
        if (earlier.user_id !== bot.app_id || earlier.asset_id !== asset_id || earlier.opponent_id !== opponent_id || !new Big(earlier.amount).abs().eq(amount)) {
          return mixinError(c, 400, 20125, 'The trace_id was already used for a different transfer.');
        }
        return c.json({ data: publicSnapshot(earlier) });
      }
      if (ledger.balanceOf(bot.app_id, asset_id).lt(new Big(amount))) return mixinError(c, 400, 20117, 'Insufficient balance.');
      const snapshot = ledger.book(bot.app_id, opponent_id, asset_id, amount, trace_id, memo);
      if (state.afterTransfer) await state.afterTransfer(snapshot);
      return c.json({ data: publicSnapshot(snapshot) });
    })
    .get('/transfers/trace/:trace', (c) => {
      const found = ledger.byTraceId(c.req.param('trace'));
      const bot = c.var.bot.app_id;
      if (!found || (found.user_id !== bot && found.opponent_id !== bot)) return mixinError(c, 404, 404, 'The endpoint is not found.');
      return c.json({ data: publicSnapshot(found) });
    })
    .get('/snapshots', (c) => {
      const lines = ledger.snapshots({
        userId: c.var.bot.app_id,
        limit: Math.min(Math.max(Number(c.req.query('limit') ?? 100) || 100, 1), 500),
        offset: c.req.query('offset') ?? '',
        ascending: (c.req.query('order') ?? 'DESC').toUpperCase() === 'ASC',
        asset: c.req.query('asset'),
        opponent: c.req.query('opponent'),
      });
      return c.json({ data: lines.map(publicSnapshot) });
    });
}
