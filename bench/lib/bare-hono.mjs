/**
 * The same-run ceiling: a bare Hono app on @hono/node-server in its own process. It answers a
 * constant JSON (also behind hono/cors, configured as the status route's), holds Server-Sent Event streams that do nothing until `POST /fire`, and fans that
 * one event out to every stream. `POST /relay/:port` is the least a broker create_order can do:
 * it reads the JSON body, makes one HTTP call to the wallet on that loopback port and answers
 * with its links, nothing else (no checks, no signing, no database; bench/figures/broker.ts).
 * Plain JavaScript on plain node (no TypeScript loader), as a compiled production server would run.
 */
import { EventEmitter } from 'node:events';
import { Agent, request } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';

const body = { status: 'NEW', version: 1, order_id: '00000000-0000-4000-8000-000000000000' };
const fire = new EventEmitter();
fire.setMaxListeners(0);

const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
app.get('/json', (c) => c.json(body));
app.use('/json-cors', cors({ origin: '*', allowMethods: ['GET', 'OPTIONS'], allowHeaders: ['if-none-match'], exposeHeaders: ['etag'] }));
app.get('/json-cors', (c) => c.json(body));
app.get('/events', (c) =>
  streamSSE(c, async (stream) => {
    await stream.writeSSE({ event: 'status', id: '1', data: JSON.stringify(body) });
    await new Promise((resolve) => {
      const send = () => void stream.writeSSE({ event: 'status', id: '2', data: JSON.stringify({ ...body, version: 2 }) });
      fire.on('fire', send);
      stream.onAbort(() => {
        fire.off('fire', send);
        resolve();
      });
    });
  }),
);
app.post('/fire', (c) => {
  fire.emit('fire');
  return c.json({ ok: true });
});

const walletAgent = new Agent({ keepAlive: true });

/** The request's body as text, read from Node's request as the companion server reads it. */
function bodyOf(incoming) {
  return new Promise((resolve, reject) => {
    let text = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
  });
}

/** One POST of `body` to the wallet on `port`, its JSON answer parsed. */
function callWallet(port, body) {
  return new Promise((resolve, reject) => {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request({ host: '127.0.0.1', port, path: '/binancepay/openapi/v3/order', method: 'POST', agent: walletAgent, headers }, (res) => {
      bodyOf(res).then((text) => resolve(JSON.parse(text)), reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

app.post('/relay/:port', async (c) => {
  const order = JSON.parse(await bodyOf(c.env.incoming));
  const made = await callWallet(Number(c.req.param('port')), JSON.stringify({ merchantTradeNo: order.trace_id, orderAmount: order.amount, currency: 'USDT' }));
  return c.json({ code: 0, success: true, message: '', data: { checkout_url: made.data.checkoutUrl, deep_link: made.data.deeplink, universal_url: made.data.universalUrl } });
});

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
