/**
 * The broker half's Hono app, mounted under `/mixpay`: MixPay's endpoints (mixpay-api.ts) and the
 * wallets' notifications (webhooks-api.ts), with the protocol's envelope on every answer,
 * including to requests that are not JSON, too large or for unknown paths. (The merchant's
 * counterpart is merchant/app.ts; server/compose.ts mounts both.)
 */
import { Hono, type Context } from 'hono';
import { isUnstorableTextError, NUL_MESSAGE } from '../core/text.ts';
import { bodyLimit } from 'hono/body-limit';
import type { BrokerDeps, BrokerEnv } from './deps.ts';
import { BrokerError, errorEnvelope, HTTP_STATUS, PARAMETER_ERROR, PAYMENT_UNAVAILABLE } from './api-errors.ts';
import { answerEnvelope } from './envelope-answer.ts';
import { mixpayApi } from './mixpay-api.ts';
import { BodyTooLargeError, limitBody, MAX_BODY_BYTES, tooLarge } from './request-body.ts';
import { webhooksApi } from './webhooks-api.ts';

export type { BrokerEnv } from './deps.ts';

function fail(c: Context, error: BrokerError) {
  return answerEnvelope(c, errorEnvelope(error.code, error.message), HTTP_STATUS[error.code]);
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
  // MixPay's calls read their body through readFields, which caps it as it reads (request-body.ts);
  // the webhooks read theirs whole for the signature, so Hono's limit wraps it.
  app.route('/', mixpayApi(deps, limitBody()));
  app.route('/', webhooksApi(deps, limit));

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
