/**
 * Composes the server from one Hono app per concern. Everything a handler needs arrives through
 * `AppDeps`, so tests build a real app over a temporary database and swap the outside clients.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Config } from './config.ts';
import type { Store } from './store/db.ts';
import type { MixPayApi } from './mixpay/call-budget.ts';
import type { StatusBus } from './merchant/status-bus.ts';
import type { Catalog } from './merchant/catalog.ts';
import { errorEnvelope, PARAMETER_ERROR } from './broker/errors.ts';
import { errorBody, MerchantApiError, respondError } from './merchant/api-errors.ts';
import { callbackApi } from './merchant/callback-api.ts';
import { ordersApi } from './merchant/orders-api.ts';
import { publicApi } from './merchant/public-api.ts';
import { orderPage } from './merchant/order-page.ts';
import { adminApi } from './merchant/admin-api.ts';
import { openApiDocument } from './merchant/openapi.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  /** MixPay's API; in a running server a BudgetedMixPay drawing on the installation's shared budget. */
  mixpay: MixPayApi;
  bus: StatusBus;
  catalog: Catalog;
  /** Milliseconds since the epoch; tests move time by swapping it. */
  now: () => number;
  /** Income check (seed 003 §3): PAID only after the payee bot received MixPay's transfer. */
  incomeCheck?: boolean;
  log: (line: string) => void;
}

export type AppEnv = { Variables: { deps: AppDeps } };

export interface AppParts {
  /** Sub-apps mounted beside the API (sandbox, demo, broker), each with its own error format. */
  mounts?: Array<{ path: string; app: Hono<any> }>;
  /** Reports whether the server is ready for `/healthz` (e.g. migrations done). */
  ready?: () => boolean;
}

export function createApp(deps: AppDeps, parts: AppParts = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });

  app.get('/healthz', async (c) => {
    if (parts.ready && !parts.ready()) return c.json({ status: 'starting' }, 503);
    try {
      await deps.store.db.selectFrom('orders').select('id').limit(1).execute();
    } catch (error) {
      return c.json({ status: 'unavailable', error: 'database not reachable' }, 503);
    }
    return c.json({ status: 'ok' });
  });

  // Public routes first: the order API authenticates everything else under /v1/orders.
  app.route('/v1', publicApi(deps.config, deps.now));
  app.route('/v1/orders', ordersApi(deps.config.MERCHANT_API_KEY));
  app.route('/mixpay', callbackApi(deps.log, { allowedIps: deps.config.MIXPAY_CALLBACK_IPS, trustProxy: deps.config.TRUST_PROXY }));
  app.route('/admin/v1', adminApi(deps.config.ADMIN_API_KEY));
  app.route('/pay', orderPage());
  let openapi: ReturnType<typeof openApiDocument> | undefined;
  app.get('/openapi.json', (c) => c.json((openapi ??= openApiDocument(deps.config.PUBLIC_URL))));
  for (const mount of parts.mounts ?? []) app.route(mount.path, mount.app);

  app.notFound((c) => {
    // Paths like `//mixpay/x` miss every mounted app; answer them in their protocol's own format.
    const path = c.req.path.replace(/\/{2,}/g, '/');
    if (path.startsWith('/v1/') || path.startsWith('/admin/')) return c.json(errorBody(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404);
    if (path === '/mixpay' || path.startsWith('/mixpay/')) return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: no route ${c.req.method} ${c.req.path}`), 404);
    return c.text('Not found', 404);
  });

  app.onError((error, c) => {
    if (error instanceof MerchantApiError) return respondError(c, error);
    if (error instanceof HTTPException) {
      return c.json(errorBody(error.status, 'HTTP_ERROR', error.message || 'request rejected'), error.status);
    }
    deps.log(`unhandled error on ${c.req.method} ${c.req.path}: ${(error as Error).stack ?? error}`);
    if (c.req.path === '/mixpay/callback') return c.json({ code: 'RETRY', message: 'internal error' }, 500);
    return c.json(errorBody(500, 'INTERNAL_ERROR', 'internal error; the server log has the details'), 500);
  });

  return app;
}
