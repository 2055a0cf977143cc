/**
 * The wallets' HTTP call without an injected fetch (server/wallets/http-post.ts), as the Binance
 * Pay client makes it in production: the answer's status and text, a time limit, and an
 * unreachable wallet as WalletUnavailableError; and the broker as composed in production really
 * takes that path (it used to hand every wallet the global fetch).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fetchWithTimeout, WalletUnavailableError } from '../../server/wallets/types.ts';
import { httpCall, plainHeaders } from '../../server/wallets/http-post.ts';
import { BinancePayClient } from '../../server/wallets/binance.ts';
import { randomUUID } from 'node:crypto';
import { parseBrokerConfig } from '../../server/broker/config.ts';
import { createBrokerDeps } from '../../server/broker/deps.ts';

let server: Server;
let url: string;
const seen: Array<{ method?: string; headers: Record<string, unknown>; body: string }> = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      seen.push({ method: req.method, headers: req.headers, body });
      if (req.url === '/slow') return; // never answers
      if (req.url === '/binancepay/openapi/v3/order') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'SUCCESS', code: '000000', data: { prepayId: 'p1', checkoutUrl: 'https://pay.example/p1' } }));
        return;
      }
      res.writeHead(418, { 'content-type': 'text/plain' }).end('tea, ünïcode');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test('answers with its status and UTF-8 text, and the request carries its method, headers and body', async () => {
  const answer = await fetchWithTimeout('test', undefined, `${url}/teapot`, { method: 'POST', headers: { 'X-Sign': 'abc', 'content-type': 'application/json' }, body: '{"a":"é"}' }, 2000);
  assert.deepEqual(answer, { status: 418, text: 'tea, ünïcode' });
  const request = seen.at(-1)!;
  assert.equal(request.method, 'POST');
  assert.equal(request.headers['x-sign'], 'abc');
  assert.equal(request.headers['content-length'], String(Buffer.byteLength('{"a":"é"}')));
  assert.equal(request.body, '{"a":"é"}');
});

test('a wallet that does not answer in time, or cannot be reached, is WalletUnavailableError', async () => {
  await assert.rejects(fetchWithTimeout('test', undefined, `${url}/slow`, { method: 'POST', headers: {}, body: '' }, 100), (e: unknown) => e instanceof WalletUnavailableError && /within 100 ms/.test((e as Error).message));
  await assert.rejects(fetchWithTimeout('test', undefined, 'http://127.0.0.1:1/none', { method: 'GET', headers: {} }, 2000), WalletUnavailableError);
});

test('the Binance Pay client without an injected fetch goes through it', async () => {
  const client = new BinancePayClient({ baseUrl: url, apiKey: 'k', secretKey: 's' });
  const order = await client.createOrder({ traceId: '6f1c5a53-2b7e-4c1e-9d4e-0d8f6c7b9a10', amount: '1.5', currency: 'USDT', title: 't', returnUrl: 'https://r.example', webhookUrl: 'https://w.example', expiresAt: Date.now() + 60_000 });
  assert.equal(order.upstreamId, 'p1');
  const request = seen.at(-1)!;
  assert.equal(request.headers['binancepay-certificate-sn'], 'k');
  assert.match(request.body, /"orderAmount":1\.5\b/);
});

test('the broker builds its wallets without the global fetch unless a test injects one', async () => {
  const real = globalThis.fetch;
  let fetched = 0;
  globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
    fetched += 1;
    return real(...args);
  }) as typeof fetch;
  try {
    const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
    const config = parseBrokerConfig({
      wallets: { binance: { kind: 'binance', base_url: url, api_key: 'k', secret_key: 's', assets: { [USDT]: { currency: 'USDT', min: '0.01', max: '100', min_usdt: '0.01', max_usdt: '100', fee: '0.01' } } } },
      mixin: { app_id: randomUUID(), session_id: randomUUID(), session_private_key: 'a'.repeat(64), server_public_key: 'b'.repeat(64), pin: 'c'.repeat(64) },
      mixpay: { bot_ids: [randomUUID()] },
    });
    // As compose.ts builds it in production: no fetch given.
    const client = createBrokerDeps({ config, store: {} as never, publicUrl: 'http://127.0.0.1', log: () => {} }).wallets.binance!;
    const order = await client.createOrder({ traceId: '0b6f7d1e-8a4c-4f2e-9c3d-5e6f7a8b9c0d', amount: '2', currency: 'USDT', title: 't', returnUrl: 'https://r.example', webhookUrl: 'https://w.example', expiresAt: Date.now() + 60_000 });
    assert.equal(order.upstreamId, 'p1');
    assert.equal(fetched, 0, 'node:http, not fetch');
  } finally {
    globalThis.fetch = real;
  }
});

test("a wallet call's headers go out as a web Headers would give them: names in lower case and sorted, one name twice joined, values trimmed", () => {
  const cases: HeadersInit[] = [
    { 'X-Sign': 'abc', 'content-type': 'application/json', 'BinancePay-Nonce': 'n' },
    { B: '1', a: ' 2 ', A: '3\t' },
    {},
    [['x', '1'], ['X', '2']],
    new Headers({ q: '1' }),
  ];
  for (const headers of cases) assert.deepEqual(Object.entries(plainHeaders(headers)), [...new Headers(headers)]);
});

/** A wallet that closes each connection when a second request arrives on it, unanswered, as one whose idle timeout ran out as the request went out. */
async function closingWallet() {
  let connections = 0;
  const requests: string[] = [];
  const wallet = createServer((req, res) => {
    const socket = req.socket as typeof req.socket & { served?: number };
    socket.served = (socket.served ?? 0) + 1;
    requests.push(`${req.url} on connection ${connections}, request ${socket.served}`);
    if (socket.served > 1) return void socket.destroy();
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  wallet.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => wallet.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(wallet.address() as { port: number }).port}`, requests, close: () => (wallet.closeAllConnections(), wallet.close()) };
}

test('a kept-alive connection the wallet closed as the call took it: the call is sent once more on a new one', async () => {
  const wallet = await closingWallet();
  try {
    const call = (path: string) => httpCall(`${wallet.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }, 2000);
    assert.deepEqual(await call('/first'), { status: 200, text: '{"ok":true}' });
    assert.deepEqual(await call('/second'), { status: 200, text: '{"ok":true}' });
    assert.deepEqual(wallet.requests, ['/first on connection 1, request 1', '/second on connection 1, request 2', '/second on connection 2, request 1']);
  } finally {
    wallet.close();
  }
});

test('a call whose new connection is reset is not sent again', async () => {
  let requests = 0;
  const wallet = createServer((req) => {
    requests += 1;
    req.socket.destroy();
  });
  await new Promise<void>((resolve) => wallet.listen(0, '127.0.0.1', resolve));
  try {
    const target = `http://127.0.0.1:${(wallet.address() as { port: number }).port}/reset`;
    await assert.rejects(httpCall(target, { method: 'POST', headers: {}, body: '{}' }, 2000), (e: unknown) => (e as { code?: string }).code === 'ECONNRESET');
    assert.equal(requests, 1);
  } finally {
    wallet.close();
  }
});
