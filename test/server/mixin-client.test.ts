/** The broker's Mixin client (official SDK) against the sandbox's Mixin over real HTTP. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { createMixinClient, MixinApiError, MixinUnavailableError, type MixinBotOptions } from '../../server/mixin/client.ts';
import { createMixinSandbox, type MixinSandbox } from '../../server/sandbox/mixin/index.ts';
import { DEV_BROKER_BOT, DEV_MIXPAY_BOT_ID } from '../../server/sandbox/mixin/dev-bot.ts';
import { decodeRefundMemo } from '../../server/core/mixpay-memo.ts';

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';

describe('Mixin client against the sandbox', () => {
  let sandbox: MixinSandbox;
  let server: Listening;
  let bot: MixinBotOptions;

  before(async () => {
    sandbox = createMixinSandbox();
    // Mounted under a prefix, as in `npm start`, so signing over the API path is exercised.
    server = await listen(new Hono().route('/sandbox/mixin', sandbox.app).fetch);
    bot = { baseUrl: `${server.url}/sandbox/mixin`, ...DEV_BROKER_BOT, timeoutMs: 2000 };
  });
  after(() => server.close());

  test('lists the bot assets with decimal balances', async () => {
    const assets = await createMixinClient(bot).listAssets();
    const usdt = assets.find((a) => a.asset_id === USDT);
    assert.equal(usdt?.symbol, 'USDT');
    assert.equal(usdt?.balance, '1000.00000000');
  });

  test('a transfer deducts once; the same trace_id returns the same snapshot', async () => {
    const client = createMixinClient(bot);
    const request = { asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '12.5', trace_id: randomUUID(), memo: 'UE18eHw=' };
    const first = await client.transfer(request);
    const second = await client.transfer(request);
    assert.equal(first.amount, '-12.5');
    assert.equal(first.trace_id, request.trace_id);
    assert.equal(first.memo, request.memo);
    assert.equal(second.snapshot_id, first.snapshot_id);
    assert.equal(sandbox.balanceOf(DEV_BROKER_BOT.app_id, USDT), '987.5');
    assert.equal(sandbox.transfers({ trace_id: request.trace_id }).length, 1);
    await assert.rejects(client.transfer({ ...request, amount: '1' }), (e: unknown) => e instanceof MixinApiError && e.code === 20125);
  });

  test('refuses a wrong session key, a wrong PIN and an overdraft with Mixin error codes', async () => {
    const otherKey = { ...bot, session_private_key: 'ab'.repeat(32) };
    await assert.rejects(createMixinClient(otherKey).listAssets(), (e: unknown) => e instanceof MixinApiError && e.code === 401);
    const request = { asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '1', trace_id: randomUUID(), memo: '' };
    await assert.rejects(createMixinClient({ ...bot, pin: '654321' }).transfer(request), (e: unknown) => e instanceof MixinApiError && e.code === 20119);
    await assert.rejects(createMixinClient(bot).transfer({ ...request, amount: '5000' }), (e: unknown) => e instanceof MixinApiError && e.code === 20117);
  });

  test('snapshots page from an offset and carry MixPay refund memos', async () => {
    const client = createMixinClient(bot);
    const trace = randomUUID();
    await client.transfer({ asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '2', trace_id: trace, memo: 'x' });
    const refund = await fetch(`${bot.baseUrl}/_sandbox/refund`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trace_id: trace, code: '40025' }) });
    assert.equal(refund.status, 200);
    const all = await client.snapshots(undefined, 500);
    const incoming = all.filter((s) => Number(s.amount) > 0);
    const last = incoming.at(-1)!;
    assert.equal(last.amount, '2');
    assert.deepEqual(decodeRefundMemo(last.memo), { traceId: trace, code: '40025', reason: 'too much market volatility' });
    const after = await client.snapshots(last.created_at, 500);
    assert.equal(after.length, 0);
    const middle = all.at(-2)!;
    assert.deepEqual((await client.snapshots(middle.created_at, 500)).map((s) => s.snapshot_id), [last.snapshot_id]);
  });

  test('an unreachable Mixin is MixinUnavailableError', async () => {
    await assert.rejects(createMixinClient({ ...bot, baseUrl: 'http://127.0.0.1:9' }).listAssets(), MixinUnavailableError);
  });
});
