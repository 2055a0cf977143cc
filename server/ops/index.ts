/**
 * Operating the server: `/livez`, `/readyz` and `/metrics` (Prometheus text), plus the middleware
 * that counts every request. `/metrics` wants `Authorization: Bearer <METRICS_TOKEN>`; with no
 * token set it answers only direct loopback callers (not through a proxy).
 */
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { MerchantDeps } from '../merchant/deps.ts';
import { errorBody } from '../merchant/api-errors.ts';
import { safeEqual } from '../merchant/auth.ts';
import { callerOf, plainAddress } from '../core/caller.ts';
import { checkReadiness, type ReadinessSources } from './health.ts';
import { createMetrics } from './metrics.ts';
import { NO_STREAMS, type OpenStreams } from './open-streams.ts';
import { budgetLimitOf } from '../mixpay/call-budget.ts';

export interface OpsParts {
  started?: ReadinessSources['started'];
  workers?: ReadinessSources['workers'];
  /** Status streams of this app; the server that owns it ends them on shutdown. */
  streams?: OpenStreams;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);

/** A direct caller on this machine: the socket is loopback and no proxy forwarded the request. */
function directLoopback(c: Context): boolean {
  if (c.req.header('x-forwarded-for') || c.req.header('forwarded')) return false;
  return LOOPBACK.has(plainAddress(callerOf(c, false)));
}

export function opsApi(deps: MerchantDeps, parts: OpsParts = {}) {
  const metrics = createMetrics({ db: deps.store.db, now: deps.now, callsPerMinute: budgetLimitOf(deps.config), streams: parts.streams ?? NO_STREAMS });
  const token = deps.config.METRICS_TOKEN;
  const routes = new Hono()
    .get('/livez', (c) => c.json({ status: 'ok' }))
    .get('/readyz', async (c) => {
      const readiness = await checkReadiness({ db: deps.store.db, started: parts.started, workers: parts.workers });
      return c.json({ status: readiness.ready ? 'ok' : 'unavailable', ...readiness.checks }, readiness.ready ? 200 : 503);
    })
    .get('/metrics', async (c) => {
      if (token) {
        const presented = /^Bearer (.+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
        if (!presented || !safeEqual(presented, token)) {
          c.header('www-authenticate', 'Bearer realm="metrics"');
          return c.json(errorBody(401, 'AUTHENTICATION_FAILED', 'send Authorization: Bearer <METRICS_TOKEN>'), 401);
        }
      } else if (!directLoopback(c)) {
        return c.json(errorBody(403, 'FORBIDDEN', 'metrics answer loopback callers only; set METRICS_TOKEN to scrape from elsewhere'), 403);
      }
      const { contentType, body } = await metrics.scrape();
      return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
    });
  return { middleware: metrics.middleware, countRequest: metrics.countRequest, routes, close: metrics.close };
}
