/**
 * The endpoints MixPay calls on a broker (seed 000 §2), the customer's return link, and the
 * wallets' payment notifications. Mounted under `/mixpay`. Every answer, including to requests
 * that are not JSON, too large or for unknown paths, is the protocol's envelope.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { canonicalUuid } from './config.ts';
import type { BrokerDeps } from './deps.ts';
import { BrokerError, errorEnvelope, HTTP_STATUS, NoPermissionError, okEnvelope, ParameterError, PARAMETER_ERROR, PAYMENT_UNAVAILABLE } from './errors.ts';
import { createBrokerOrder, findOrder } from './orders.ts';
import { recordWalletEvent } from './payments.ts';
import { checkAmountInRange, parseCreateOrder, parseRangeQuery } from './validation.ts';
import { WebhookRejectedError } from '../wallets/types.ts';

export type BrokerEnv = { Variables: Record<string, never> };

/** MixPay's requests are a few hundred bytes; anything near this is not MixPay. */
export const MAX_BODY_BYTES = 16 * 1024;

function fail(c: Context, error: BrokerError) {
  return c.json(errorEnvelope(error.code, error.message), HTTP_STATUS[error.code]);
}

/** Reads a JSON or form body into a flat record; a field sent twice is a parameter error. */
async function readFields(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const text = await c.req.text();
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
  if (type === 'application/x-www-form-urlencoded' || sniff) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      if (key in fields) throw new ParameterError(key, 'was sent more than once');
      fields[key] = value;
    }
    return fields;
  }
  if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await new Request('http://body.local', { method: 'POST', headers: { 'content-type': c.req.header('content-type')! }, body: text }).formData();
    } catch {
      throw new ParameterError('body', 'is not valid multipart/form-data');
    }
    const fields: Record<string, unknown> = {};
    for (const [key, value] of form) {
      if (key in fields) throw new ParameterError(key, 'was sent more than once');
      if (typeof value !== 'string') throw new ParameterError(key, 'must be a text field');
      fields[key] = value;
    }
    return fields;
  }
  throw new ParameterError('body', `content-type ${type} is not supported; send application/json or a form`);
}

function queryFields(c: Context): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (values.length > 1) throw new ParameterError(key, 'was sent more than once');
    fields[key] = values[0];
  }
  return fields;
}

function walletFor(deps: BrokerDeps, name: string, payeeId: string) {
  const wallet = deps.config.wallets[name];
  if (!wallet || !deps.wallets[name]) throw new ParameterError('wallet', `${JSON.stringify(name)} is not offered by this broker`);
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
    onError: (c) => c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: body is larger than ${MAX_BODY_BYTES} bytes`), 413),
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
    const asset = wallet.assets[request.asset_id];
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
    return c.redirect(order.return_url, 302);
  });

  app.post('/webhooks/:wallet', limit, async (c) => {
    const name = c.req.param('wallet');
    const wallet = deps.wallets[name];
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
  app.all('*', noRoute);
  app.notFound(noRoute);

  app.onError((error, c) => {
    if (error instanceof BrokerError) return fail(c, error);
    deps.log(`[broker] ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return c.json(errorEnvelope(PAYMENT_UNAVAILABLE, 'This payment is unavailable.'), 500);
  });

  return app;
}
