/**
 * Headers for the hot routes without leaving @hono/node-server's fast path (issue 12 §2). Under
 * node-server, Hono's `c.req.header()` first copies every request header into a web `Headers`,
 * and each `c.header()` goes through one, whose checks cost more than the status route's own work;
 * once a handler answered, `c.header()` even rebuilds the answer around a body stream. Node's
 * request and response are at hand (`c.env`), with headers already parsed and a `setHeader` that
 * node-server's `writeHead` keeps beside the answer's own. Elsewhere (`app.request()` in tests)
 * both fall back to Hono.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

/** Node's response of this request, when it runs under @hono/node-server. */
export function nodeResponse(c: Context): ServerResponse | undefined {
  return (c.env as NodeBindings | undefined)?.outgoing;
}

/** A request header (`name` in lower case), as Hono's `c.req.header(name)` would answer. */
export function requestHeader(c: Context, name: string): string | undefined {
  const incoming = (c.env as NodeBindings | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Sets a response header that goes out with whatever the handler answers, an error included; a
 * header of the same name in the answer itself wins, as with `c.header`.
 */
export function responseHeader(c: Context, name: string, value: string): void {
  const outgoing = nodeResponse(c);
  if (outgoing && !outgoing.headersSent) outgoing.setHeader(name, value);
  else c.header(name, value);
}

/**
 * The status of the answer: the one Node sent when a handler wrote to Node's response itself
 * (an event stream, a 304), else the answer's.
 */
export function answeredStatus(c: Context): number {
  const outgoing = nodeResponse(c);
  return outgoing?.headersSent ? outgoing.statusCode : c.res.status;
}
