/**
 * The same-run ceiling: a bare Hono app on @hono/node-server in its own process. It answers a
 * constant JSON (also behind hono/cors, configured as the status route's), holds Server-Sent Event streams that do nothing until `POST /fire`, and fans that
 * one event out to every stream. Plain JavaScript on plain node (no TypeScript loader), as a
 * compiled production server would run.
 */
import { EventEmitter } from 'node:events';
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

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
