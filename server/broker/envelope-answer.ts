/**
 * The envelope written on Node's response when the broker runs under @hono/node-server: Hono's
 * `c.json` builds a Response, which node-server then reads back into Node's own, a cost create_order
 * paid on every answer (issue 12 §4). The bytes are the same as `c.json`'s through node-server (the
 * same two headers, in the same spelling and order); headers set on Node's response beforehand
 * (the request id, core/node-headers.ts) go out with them. A header set with Hono's `c.header`
 * would not: the broker's envelope answers set none. Without Node's response (`app.request()` in
 * tests) it is `c.json`.
 */
import type { Context } from 'hono';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { nodeResponse } from '../core/node-headers.ts';
import type { Envelope } from './api-errors.ts';

/** Answers `envelope` with `status`, as `c.json(envelope, status)` would. */
export function answerEnvelope<T>(c: Context, envelope: Envelope<T>, status: 200 | 400 = 200): Response {
  const outgoing = nodeResponse(c);
  if (!outgoing || outgoing.headersSent) return c.json(envelope, status);
  const text = JSON.stringify(envelope);
  outgoing.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
  return RESPONSE_ALREADY_SENT;
}
