/**
 * Reading what MixPay sends: a JSON, form or multipart body (inflated when it came compressed,
 * capped at MAX_BODY_BYTES either way) or a query, into a flat record with no prototype. Every
 * failure is a ParameterError, so it answers in the broker's envelope.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Context } from 'hono';
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
 * The body as text, inflated when it came with a Content-Encoding. The inflated size is capped
 * like the raw one, so a small compressed body cannot expand into a large one.
 */
async function bodyText(c: Context): Promise<string> {
  const encoding = (c.req.header('content-encoding') ?? '').trim().toLowerCase();
  if (!encoding || encoding === 'identity') return c.req.text();
  const inflate = Object.hasOwn(INFLATE, encoding) ? INFLATE[encoding] : undefined;
  if (!inflate) throw new ParameterError('body', `content-encoding ${encoding} is not supported; send gzip, deflate, br or none`);
  const raw = Buffer.from(await c.req.arrayBuffer());
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
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
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
      form = await new Request('http://body.local', { method: 'POST', headers: { 'content-type': c.req.header('content-type')! }, body: text }).formData();
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
