/**
 * create_order's body read from Node's request under @hono/node-server (request-body.ts), over
 * real HTTP: the same answers as through `app.request()` for JSON (a BOM too), forms, gzip,
 * chunked bodies, bodies over the limit by Content-Length or by what arrives, and bad UTF-8.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import net from 'node:net';
import { Hono } from 'hono';
import { listen, type Listening } from '../support/http.ts';
import { backends, type TestStore } from '../support/stores.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { orderBody, testDeps, type TestDeps } from './broker-fixtures.ts';

const sqlite = (await backends()).find((backend) => backend.name === 'sqlite')!;

/** One request over a fresh connection; `chunks` are written one by one (chunked when no length is given). */
function send(url: string, headers: Record<string, string>, chunks: Array<string | Buffer>): Promise<{ status: number; body: { code: number; message: string; data?: unknown } }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${url}/create_order`, { method: 'POST', headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

/** One request on a raw socket, `Connection: close`: the answer's bytes as they arrived, its Date header left out. */
function rawAnswer(port: number, path: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').replace(/^Date: .*\r\n/m, '')));
    socket.on('error', reject);
    socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('create_order bodies over real HTTP', () => {
  let store: TestStore;
  let deps: TestDeps;
  let server: Listening;

  before(async () => {
    store = await sqlite.create();
    deps = testDeps(store);
    await syncBalances(deps);
    server = await listen(createBrokerApp(deps).fetch);
  });
  after(async () => {
    await server.close();
    await store.dispose();
  });

  const body = () => JSON.stringify(orderBody(Date.now(), { amount: '0.5' }));

  test('JSON in one piece, in many chunks, with a BOM, and gzipped: accepted', async () => {
    deps.clock.now = Date.now();
    const text = body();
    const whole = await send(server.url, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, [text]);
    assert.equal(whole.body.code, 0, whole.body.message);
    const pieces = body();
    const chunked = await send(server.url, { 'content-type': 'application/json' }, pieces.match(/.{1,16}/g)!);
    assert.equal(chunked.body.code, 0, chunked.body.message);
    const bom = await send(server.url, { 'content-type': 'application/json' }, [`\ufeff${body()}`]);
    assert.equal(bom.body.code, 0, bom.body.message);
    const gzipped = await send(server.url, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, [gzipSync(body())]);
    assert.equal(gzipped.body.code, 0, gzipped.body.message);
  });

  test('a form body is read as fields', async () => {
    const fields = new URLSearchParams(Object.entries(orderBody(Date.now(), { amount: '0.5' })).map(([k, v]) => [k, String(v)]));
    const answer = await send(server.url, { 'content-type': 'application/x-www-form-urlencoded' }, [fields.toString()]);
    assert.equal(answer.body.code, 0, answer.body.message);
  });

  test('over 16 KiB by Content-Length, or by what arrives without one: 413 in the envelope', async () => {
    const declared = await send(server.url, { 'content-type': 'application/json', 'content-length': String(20_000) }, ['x'.repeat(20_000)]);
    assert.equal(declared.status, 413);
    assert.equal(declared.body.code, 11000);
    const streamed = await send(server.url, { 'content-type': 'application/json' }, Array.from({ length: 5 }, () => 'x'.repeat(5_000)));
    assert.equal(streamed.status, 413);
    assert.equal(streamed.body.code, 11000);
  });

  test('not JSON, or bytes that are not UTF-8: a parameter error naming the body', async () => {
    const broken = await send(server.url, { 'content-type': 'application/json' }, ['{"payee_id": ']);
    assert.equal(broken.body.code, 11000);
    assert.match(broken.body.message, /body/);
    const bytes = await send(server.url, { 'content-type': 'application/json' }, [Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]);
    assert.equal(bytes.body.code, 11000);
  });

  test('an empty body, with Content-Length 0 or none at all, is a parameter error naming the body', async () => {
    const empty = await send(server.url, { 'content-type': 'application/json', 'content-length': '0' }, []);
    assert.equal(empty.body.code, 11000);
    assert.match(empty.body.message, /body/);
    const none = await send(server.url, { 'content-type': 'application/json' }, []);
    assert.equal(none.body.code, 11000);
  });

  test('answers, accepted or refused, are byte for byte what c.json sends through node-server', async () => {
    // The reference: Hono answering the same envelope with c.json, on the same server library.
    let envelope: { body: unknown; status: number } = { body: null, status: 200 };
    const reference = await listen(new Hono().post('/create_order', (c) => c.json(envelope.body, envelope.status as 200)).fetch);
    try {
      deps.clock.now = Date.now();
      const cases = [
        { body: body(), status: 200 },
        // 11002 with HTTP 200: more than the balance.
        { body: JSON.stringify(orderBody(Date.now(), { amount: '99' })), status: 200 },
        { body: JSON.stringify(orderBody(Date.now(), { trace_id: 'not-a-uuid' })), status: 400 },
      ];
      for (const { body: text, status } of cases) {
        const answered = await rawAnswer(server.port, '/create_order', text);
        envelope = { body: JSON.parse(answered.slice(answered.indexOf('\r\n\r\n') + 4)), status };
        assert.equal(answered, await rawAnswer(reference.port, '/create_order', '{}'));
      }
    } finally {
      await reference.close();
    }
  });
});
