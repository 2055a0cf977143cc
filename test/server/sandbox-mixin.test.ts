/**
 * Each contract check the sandbox's Mixin makes on a bot's request (contracts §3), with a request
 * that breaks only that check: the JWT's key, `sig`, `jti` equal to `X-Request-Id`, `scp`, `iat`
 * and `exp`, and a PIN the SDK can send. Removing a check makes its test fail.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID, sign } from 'node:crypto';
import { Hono } from 'hono';
import { listen } from '../support/http.ts';
import { createMixinSandbox } from '../../server/sandbox/mixin/index.ts';
import { ed25519PrivateKey } from '../../server/sandbox/mixin/auth.ts';
import { DEV_BROKER_BOT, DEV_MIXPAY_BOT_ID } from '../../server/sandbox/mixin/dev-bot.ts';
import { createMixinClient, MixinApiError } from '../../server/mixin/client.ts';
import { parseBrokerConfig } from '../../server/broker/config.ts';
import { testConfig } from './broker-fixtures.ts';

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Forge {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
  requestId?: string | null;
  key?: string;
  /** What `sig` is computed over, when not the request itself. */
  signedOver?: string;
}

/** A request to the sandbox signed as the SDK signs it, with one part changed. */
function forged(method: string, path: string, body: string, forge: Forge = {}): Request {
  const now = Math.floor(Date.now() / 1000);
  const jti = randomUUID();
  const claims = {
    uid: DEV_BROKER_BOT.app_id, sid: DEV_BROKER_BOT.session_id, iat: now, exp: now + 3600, jti,
    sig: createHash('sha256').update(forge.signedOver ?? method + path + body).digest('hex'), scp: 'FULL', ...forge.claims,
  };
  const head = `${b64({ alg: 'EdDSA', typ: 'JWT', ...forge.header })}.${b64(claims)}`;
  const signature = sign(null, Buffer.from(head), ed25519PrivateKey(forge.key ?? DEV_BROKER_BOT.session_private_key)).toString('base64url');
  const headers: Record<string, string> = { authorization: `Bearer ${head}.${signature}`, 'content-type': 'application/json' };
  const requestId = forge.requestId === undefined ? String(claims.jti) : forge.requestId;
  if (requestId !== null) headers['x-request-id'] = requestId;
  return new Request(`http://sandbox${path}`, { method, headers, body: method === 'GET' ? undefined : body });
}

async function status(request: Request): Promise<string> {
  const response = await createMixinSandbox().app.request(request);
  const body = (await response.json()) as { data?: unknown; error?: { code: number; description: string } };
  return body.error ? `${body.error.code} ${body.error.description}` : 'ok';
}

describe('sandbox Mixin: request authentication', () => {
  test('a request signed as the SDK signs it is accepted', async () => {
    assert.equal(await status(forged('GET', '/assets', '')), 'ok');
    assert.equal(await status(forged('GET', '/snapshots?limit=10&order=ASC', '')), 'ok');
  });

  const refusals: Array<[string, Forge, RegExp]> = [
    ['a token signed with another key', { key: 'ab'.repeat(32) }, /bad signature/],
    ['alg other than EdDSA', { header: { alg: 'HS256' } }, /EdDSA/],
    ['an unknown session id', { claims: { sid: randomUUID() } }, /unknown app or session/],
    ['sig over another path', { signedOver: 'GET/assets/x' }, /sig does not match/],
    ['sig over another method', { signedOver: 'POST/assets' }, /sig does not match/],
    ['no sig', { claims: { sig: undefined } }, /sig does not match/],
    ['jti different from X-Request-Id', { requestId: randomUUID() }, /X-Request-Id/],
    ['no X-Request-Id header', { requestId: null }, /X-Request-Id/],
    ['jti that is not a UUID (and X-Request-Id the same)', { claims: { jti: 'request-1' }, requestId: 'request-1' }, /jti must be a UUID/],
    ['scp other than FULL', { claims: { scp: 'ASSETS:READ' } }, /scp must be FULL/],
    ['no scp', { claims: { scp: undefined } }, /scp must be FULL/],
    ['exp in the past', { claims: { exp: Math.floor(Date.now() / 1000) - 5 } }, /expired/],
    ['no exp', { claims: { exp: undefined } }, /expired/],
    ['iat an hour ahead', { claims: { iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 } }, /iat/],
    ['no iat', { claims: { iat: undefined } }, /iat/],
  ];
  for (const [what, forge, reason] of refusals) {
    test(`refuses ${what} with 401`, async () => {
      const answer = await status(forged('GET', '/assets', '', forge));
      assert.match(answer, /^401 /);
      assert.match(answer, reason);
    });
  }

  test('sig covers the body: a transfer body changed after signing is refused', async () => {
    const body = JSON.stringify({ asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '1', trace_id: randomUUID(), pin: 'x' });
    const answer = await status(forged('POST', '/transfers', body.replace('"1"', '"100"'), { signedOver: `POST/transfers${body}` }));
    assert.match(answer, /^401 .*sig does not match/);
  });
});

describe('sandbox Mixin: transfer fields', () => {
  const good = { asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '1', trace_id: randomUUID(), memo: '', pin: 'x' };
  const breaks: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown asset_id', { asset_id: randomUUID() }, /asset_id is invalid/],
    ['an opponent_id that is not a UUID', { opponent_id: 'mixpay' }, /opponent_id is invalid/],
    ['an amount with 9 decimals', { amount: '0.000000001' }, /amount is invalid/],
    ['a negative amount', { amount: '-1' }, /amount is invalid/],
    ['an amount as a number', { amount: 1 }, /amount is invalid/],
    ['a trace_id that is not a UUID', { trace_id: 'trace-1' }, /trace_id is invalid/],
    ['a memo of 201 bytes in UTF-8', { memo: 'é'.repeat(100) + 'x' }, /memo is too long/],
    ['a PIN that does not decrypt', {}, /PIN is incorrect/],
  ];
  for (const [what, change, message] of breaks) {
    test(`refuses ${what} with a Mixin error`, async () => {
      const body = JSON.stringify({ ...good, ...change });
      const answer = await status(forged('POST', '/transfers', body));
      assert.match(answer, message);
    });
  }
});

describe('sandbox Mixin: the PIN', () => {
  test('a 6-digit PIN, which the SDK hex-decodes into 3 bytes, is refused even by a bot that accepts any PIN', async () => {
    const sandbox = createMixinSandbox({ bots: [{ ...DEV_BROKER_BOT, pin: undefined, balances: { [USDT]: '10' } }] });
    const server = await listen(new Hono().route('/mixin', sandbox.app).fetch);
    try {
      const bot = { baseUrl: `${server.url}/mixin`, ...DEV_BROKER_BOT, timeoutMs: 2000 };
      const request = { asset_id: USDT, opponent_id: DEV_MIXPAY_BOT_ID, amount: '1', trace_id: randomUUID(), memo: '' };
      await assert.rejects(createMixinClient({ ...bot, pin: '123456' }).transfer(request), (e: unknown) => e instanceof MixinApiError && e.code === 20119);
      assert.equal(sandbox.transfers().length, 0);
      // The same PIN as the hex of its ASCII digits, and a TIP key, are formats the SDK can send.
      assert.equal((await createMixinClient({ ...bot, pin: '313233343536' }).transfer(request)).amount, '-1');
      assert.equal((await createMixinClient({ ...bot, pin: DEV_BROKER_BOT.pin }).transfer({ ...request, trace_id: randomUUID() })).amount, '-1');
    } finally {
      await server.close();
    }
  });

  test('the broker configuration refuses a PIN the SDK cannot send, and says which format it needs', () => {
    const raw = JSON.parse(JSON.stringify(testConfig()));
    for (const pin of ['123456', '12345', 'not-hex', 'ab'.repeat(31)]) {
      raw.mixin.pin = pin;
      assert.throws(() => parseBrokerConfig(raw), /mixin\.pin: must be hex, as the Mixin SDK hex-decodes it: the TIP PIN key as 64 hex characters, or a legacy 6-digit PIN as the hex of its ASCII digits/, pin);
    }
    for (const pin of ['313233343536', DEV_BROKER_BOT.pin]) {
      raw.mixin.pin = pin;
      assert.equal(parseBrokerConfig(raw).mixin.pin, pin);
    }
  });
});
