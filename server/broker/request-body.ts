/**
 * Reading what MixPay sends: a JSON, form or multipart body (inflated when it came compressed,
 * capped at MAX_BODY_BYTES either way) or a query, into a flat record with no prototype. Every
 * failure is a ParameterError, so it answers in the broker's envelope.
 */
import type { IncomingMessage } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestHeader } from '../core/node-headers.ts';
import { errorEnvelope, ParameterError, PARAMETER_ERROR } from './api-errors.ts';

/** MixPay's requests are a few hundred bytes; anything near this is not MixPay. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * 413 in the envelope. The rest of the body is never read, so the connection cannot carry another
 * request: `Connection: close` tells the client so, instead of a reset on its next request.
 */
export function tooLarge(c: Context) {
  c.header('Connection', 'close');
  return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: body is larger than ${MAX_BODY_BYTES} bytes`), 413);
}

/** An inflated body over the limit: answered 413 like a body that arrived too large. */
export class BodyTooLargeError extends ParameterError {
  constructor() {
    super('body', `is larger than ${MAX_BODY_BYTES} bytes`);
  }
}

const INFLATE: Record<string, (input: Buffer, options: { maxOutputLength: number }) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/**
 * The Node request under @hono/node-server. Its body is read from the socket directly: asking
 * Hono's request for the body builds a web Request and stream around it, which cost create_order
 * more than parsing and validating it (issue 12 §4). Absent under `app.request()`.
 */
function incomingOf(c: Context): IncomingMessage | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming && typeof incoming.on === 'function' && typeof incoming.headers === 'object' ? incoming : undefined;
}

/**
 * Refuses a body over MAX_BODY_BYTES with 413: by its Content-Length before reading, or while
 * reading one that came without (readBody). Hono's own bodyLimit where there is no Node request.
 */
export function limitBody(): MiddlewareHandler {
  const fallback = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => tooLarge(c) });
  return async (c, next) => {
    const incoming = incomingOf(c);
    if (!incoming) return fallback(c, next);
    const length = incoming.headers['content-length'];
    if (length !== undefined && !incoming.headers['transfer-encoding'] && Number(length) > MAX_BODY_BYTES) return tooLarge(c);
    await next();
  };
}

/** The raw body, at most MAX_BODY_BYTES (BodyTooLargeError beyond). */
async function readBody(c: Context): Promise<Uint8Array> {
  const node = incomingOf(c);
  if (!node) return new Uint8Array(await c.req.arrayBuffer());
  const incoming: IncomingMessage = node;
  // Listeners, not `for await`: the stream's async iterator cost more than the read itself.
  if (incoming.readableEnded) return new Uint8Array();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      done();
      // The rest is left unread; tooLarge's `Connection: close` ends the connection after the 413.
      incoming.pause();
      reject(new BodyTooLargeError());
    };
    const onEnd = () => {
      done();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    const onClose = () => {
      done();
      reject(new Error('the request was closed before its body arrived'));
    };
    function done() {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    }
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** UTF-8 as the Fetch API's `text()` decodes it: a leading BOM dropped, bad bytes replaced. */
const utf8 = new TextDecoder();

/**
 * The body as text, inflated when it came with a Content-Encoding. The inflated size is capped
 * like the raw one, so a small compressed body cannot expand into a large one.
 */
async function bodyText(c: Context): Promise<string> {
  const encoding = (requestHeader(c, 'content-encoding') ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity') return incomingOf(c) ? utf8.decode(await readBody(c)) : c.req.text();
  const inflate = Object.hasOwn(INFLATE, encoding) ? INFLATE[encoding] : undefined;
  if (!inflate) throw new ParameterError('body', `content-encoding ${encoding} is not supported; send gzip, deflate, br or none`);
  const raw = Buffer.from(await readBody(c));
  try {
    return inflate(raw, { maxOutputLength: MAX_BODY_BYTES }).toString('utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyTooLargeError();
    throw new ParameterError('body', `is not valid ${encoding} data`);
  }
}

/**
 * Reads a JSON or form body into a flat record; a field sent twice is a parameter error. The
 * record has no prototype, so a field named `constructor` or `toString` is only itself.
 */
export async function readFields(c: Context): Promise<Record<string, unknown>> {
  const type = (requestHeader(c, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await bodyText(c);
  // The encoding MixPay uses is unconfirmed (contracts §2): an unlabelled or text/plain body is
  // read as JSON when it looks like JSON and as a form otherwise.
  const sniff = !type || type === 'text/plain';
  const looksJson = type === 'application/json' || type.endsWith('+json') || (sniff && /^\s*[{[]|^\s*null\s*$/.test(text));
  if (looksJson) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ParameterError('body', 'is not valid JSON');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ParameterError('body', 'must be a JSON object');
    return parsed as Record<string, unknown>;
  }
  const fields: Record<string, unknown> = Object.create(null);
  const add = (key: string, value: unknown) => {
    if (Object.hasOwn(fields, key)) throw new ParameterError(key, 'was sent more than once');
    fields[key] = value;
  };
  if (type === 'application/x-www-form-urlencoded' || sniff) {
    for (const [key, value] of new URLSearchParams(text)) add(key, value);
    return fields;
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://body.local', { method: 'POST', headers: { 'content-type': requestHeader(c, 'content-type')! }, body: text }).formData();
    } catch {
      throw new ParameterError('body', 'is not valid multipart/form-data');
    }
    for (const [key, value] of form) {
      if (typeof value !== 'string') throw new ParameterError(key, 'must be a text field');
      add(key, value);
    }
    return fields;
  }
  throw new ParameterError('body', `content-type ${type} is not supported; send application/json or a form`);
}

export function queryFields(c: Context): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null);
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) throw new ParameterError(key, 'was sent more than once');
    fields[key] = values[0];
  }
  return fields;
}
