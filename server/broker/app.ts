/**
 * The endpoints MixPay calls on a broker (seed 000 §2), the customer's return link, and the
 * wallets' payment notifications. Mounted under `/mixpay`. Every answer, including to requests
 * that are not JSON, too large or for unknown paths, is the protocol's envelope.
 */
import { isUnstorableTextError, NUL_MESSAGE } from '../core/text.ts';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { canonicalUuid } from '../core/ids.ts';
import type { BrokerDeps } from './deps.ts';
import { BrokerError, errorEnvelope, HTTP_STATUS, NoPermissionError, okEnvelope, ParameterError, PARAMETER_ERROR, PAYMENT_UNAVAILABLE } from './errors.ts';
import { createBrokerOrder, findOrder } from './orders.ts';
import { recordWalletEvent } from './payments.ts';
import { checkAmountInRange, parseCreateOrder, parseRangeQuery } from './validation.ts';
import { WebhookRejectedError } from '../wallets/types.ts';

export type BrokerEnv = { Variables: Record<string, never> };

/** MixPay's requests are a few hundred bytes; anything near this is not MixPay. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * 413 in the envelope. The rest of the body is never read, so the connection cannot carry another
 * request: `Connection: close` tells the client so, instead of a reset on its next request.
 */
function tooLarge(c: Context) {
  c.header('Connection', 'close');
  return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: body is larger than ${MAX_BODY_BYTES} bytes`), 413);
}

function fail(c: Context, error: BrokerError) {
  return c.json(errorEnvelope(error.code, error.message), HTTP_STATUS[error.code]);
}

/** An inflated body over the limit: answered 413 like a body that arrived too large. */
class BodyTooLargeError extends ParameterError {
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
async function readFields(c: Context): Promise<Record<string, unknown>> {
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

function queryFields(c: Context): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null);
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) throw new ParameterError(key, 'was sent more than once');
    fields[key] = values[0];
  }
  return fields;
}

/** The configured wallet by MixPay's name for it; own keys only, so `constructor` is unknown. */
function walletFor(deps: BrokerDeps, name: string, payeeId: string) {
  const wallet = Object.hasOwn(deps.config.wallets, name) ? deps.config.wallets[name] : undefined;
  if (!wallet || !Object.hasOwn(deps.wallets, name)) throw new ParameterError('wallet', `${JSON.stringify(name)} is not offered by this broker`);
  const { allow, deny } = wallet.payees;
  if (allow && !allow.includes(payeeId)) throw new NoPermissionError();
  if (deny && deny.includes(payeeId)) throw new NoPermissionError();
  return wallet;
}

/** The broker's Hono app; mount it with `app.route('/mixpay', createBrokerApp(deps))`. */
export function createBrokerApp(deps: BrokerDeps): Hono<BrokerEnv> {
  const app = new Hono<BrokerEnv>();
  // Per route, not `use('*')`: once mounted, a `*` middleware would also wrap the merchant's
  // own `/mixpay/callback`, which shares the prefix.
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => tooLarge(c),
  });

  app.get('/assets/range', (c) => {
    const query = parseRangeQuery(queryFields(c));
    const wallet = walletFor(deps, query.wallet, query.payee_id);
    const data = Object.entries(wallet.assets).map(([asset_id, a]) => ({
      asset_id,
      min: a.min,
      max: a.max,
      min_usdt: a.min_usdt,
      max_usdt: a.max_usdt,
      fee: a.fee,
    }));
    return c.json(okEnvelope(data));
  });

  app.post('/create_order', limit, async (c) => {
    const request = parseCreateOrder(await readFields(c), deps.now());
    const wallet = walletFor(deps, request.wallet, request.payee_id);
    const asset = Object.hasOwn(wallet.assets, request.asset_id) ? wallet.assets[request.asset_id] : undefined;
    if (!asset) throw new ParameterError('asset_id', `is not offered with wallet ${request.wallet}`);
    checkAmountInRange(request.amount, asset.min, asset.max);
    return c.json(okEnvelope(await createBrokerOrder(deps, request, asset)));
  });

  // Seed 000: the customer lands on return_url through an HTTP 302, and only the stored one.
  app.get('/return/:trace_id', async (c) => {
    const traceId = canonicalUuid(c.req.param('trace_id'));
    if (!traceId) throw new ParameterError('trace_id', 'must be a UUID');
    const order = await findOrder(deps.store.db, traceId);
    if (!order) return c.json(errorEnvelope(PARAMETER_ERROR, 'Parameter error: trace_id is not an order of this broker'), 404);
    // The URL's serialized form: percent-encoded ASCII, whatever characters MixPay sent.
    return c.redirect(new URL(order.return_url).href, 302);
  });

  app.post('/webhooks/:wallet', limit, async (c) => {
    const name = c.req.param('wallet');
    const wallet = Object.hasOwn(deps.wallets, name) ? deps.wallets[name] : undefined;
    if (!wallet) return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: wallet ${name} is not configured`), 404);
    const raw = await c.req.text();
    try {
      const event = await wallet.verifyWebhook(c.req.raw.headers, raw);
      await recordWalletEvent(deps, name, event);
    } catch (error) {
      if (error instanceof WebhookRejectedError) {
        deps.log(`[broker] ${name} webhook refused: ${error.message}`);
        return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: ${error.message}`), 401);
      }
      throw error;
    }
    return c.json(wallet.webhookAck() as object);
  });

  // Registered last, and mounted after the merchant's `/mixpay/callback`, so that route answers
  // first; any other path under /mixpay gets the envelope instead of the server's plain 404.
  const noRoute = (c: Context) => c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: no route ${c.req.method} ${c.req.path}`), 404);
  // A known path with another method is a 405 that says which method to use.
  const onlyWith = (method: 'GET' | 'POST') => (c: Context) => {
    c.header('Allow', method === 'GET' ? 'GET, HEAD' : method);
    return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: ${c.req.path} takes ${method}, not ${c.req.method}`), 405);
  };
  app.all('/assets/range', onlyWith('GET'));
  app.all('/create_order', onlyWith('POST'));
  app.all('/return/:trace_id', onlyWith('GET'));
  app.all('/webhooks/:wallet', onlyWith('POST'));
  app.all('*', noRoute);
  app.notFound(noRoute);

  app.onError((error, c) => {
    if (error instanceof BodyTooLargeError) return tooLarge(c);
    if (error instanceof BrokerError) return fail(c, error);
    // A safety net behind the validation: text PostgreSQL cannot store is the caller's parameter error.
    if (isUnstorableTextError(error)) return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: a text value ${NUL_MESSAGE}`), 400);
    deps.log(`[broker] ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return c.json(errorEnvelope(PAYMENT_UNAVAILABLE, 'This payment is unavailable.'), 500);
  });

  return app;
}
