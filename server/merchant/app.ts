/**
 * The merchant half's Hono app: the MugglePay-compatible order API, the element's public
 * endpoints, MixPay's callback and the admin API, one app per resource, with the half's own error
 * envelope. Everything a handler needs arrives through `MerchantDeps`, so tests build a real app
 * over a temporary database and swap the outside clients. (The broker's counterpart is
 * broker/app.ts; server/compose.ts mounts both.)
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { isUnstorableTextError, NUL_MESSAGE } from '../core/text.ts';
import { isConnectionLost } from '../store/db.ts';
import type { MerchantDeps, MerchantEnv } from './deps.ts';
import { errorBody, MerchantApiError, respondError } from './api-errors.ts';
import { callbackApi } from './callback-api.ts';
import { ordersApi } from './orders-api.ts';
import { publicApi } from './public-api.ts';
import { PUBLIC_API_PREFIX } from './status-route.ts';
import { orderPage } from './order-page.ts';
import { adminApi } from './admin-api.ts';
import { openApiDocument } from './openapi.ts';

/** The half's error envelope (MugglePay's shape); MixPay's callback gets its RETRY answer. */
export function merchantErrorHandler(log: (line: string) => void) {
  return (error: Error, c: Context) => {
    if (error instanceof MerchantApiError) return respondError(c, error);
    if (isConnectionLost(error)) {
      // The database went away mid-request (a restart, a failover): nothing was acknowledged, so
      // the caller may safely send the same request again.
      log(`database connection lost during ${c.req.method} ${c.req.path}: ${error.message}`);
      c.header('retry-after', '1');
      if (c.req.path === '/mixpay/callback') return c.json({ code: 'RETRY', message: 'database temporarily unavailable' }, 503);
      return c.json(errorBody(503, 'DATABASE_UNAVAILABLE', 'the database is briefly unavailable; send the same request again'), 503);
    }
    if (isUnstorableTextError(error)) {
      // A safety net: the edge refuses NUL bytes field by field; anything that still reaches the
      // database with one is the caller's input, answered in its protocol's format, never a 500.
      if (c.req.path === '/mixpay/callback') return c.json({ code: 'INVALID_PARAMETERS', message: `a field ${NUL_MESSAGE}` }, 400);
      return c.json(errorBody(400, 'INVALID_PARAMETERS', `a text value ${NUL_MESSAGE} or is not valid UTF-8`), 400);
    }
    if (error instanceof HTTPException) {
      return c.json(errorBody(error.status, 'HTTP_ERROR', error.message || 'request rejected'), error.status);
    }
    log(`unhandled error on ${c.req.method} ${c.req.path}: ${error.stack ?? error}`);
    if (c.req.path === '/mixpay/callback') return c.json({ code: 'RETRY', message: 'internal error' }, 500);
    return c.json(errorBody(500, 'INTERNAL_ERROR', 'internal error; the server log has the details'), 500);
  };
}

/** The merchant's routes; mount it at `/` before the broker's `/mixpay` (the callback shares the prefix). */
export function createMerchantApp(deps: MerchantDeps): Hono<MerchantEnv> {
  const app = new Hono<MerchantEnv>();
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  // Public routes first: the order API authenticates everything else under /v1/orders.
  app.route(PUBLIC_API_PREFIX, publicApi(deps.config, deps.now));
  app.route('/v1/orders', ordersApi(deps.config.MERCHANT_API_KEY));
  app.route('/mixpay', callbackApi(deps.log, { allowedIps: deps.config.MIXPAY_CALLBACK_IPS, trustProxy: deps.config.TRUST_PROXY }));
  app.route('/pay', orderPage());
  app.route('/admin/v1', adminApi(deps.config.ADMIN_API_KEY));
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => c.json((openapi ??= openApiDocument(deps.config.PUBLIC_URL))));
  app.onError(merchantErrorHandler(deps.log));
  return app;
}
