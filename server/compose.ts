/**
 * The composition root: builds each half from the parsed `Config` (the broker's file included)
 * and mounts it beside the server's own parts (health, sandbox, element, demo). Nothing under
 * merchant/ or broker/ imports this file or the other half (test/server/layout.test.ts checks).
 */
import { Hono } from 'hono';
import type { Config } from './config.ts';
import type { Store } from './store/db.ts';
import { demoApp } from './demo.ts';
import { widgetAssets } from './widget-assets.ts';
import { adminPage } from './admin/index.ts';
import { opsApi } from './ops/index.ts';
import type { OpenStreams } from './ops/open-streams.ts';
import { requestIdFor, requestLevel, requestLog, type Logger } from './ops/logger.ts';
import { errorEnvelope, PARAMETER_ERROR } from './broker/api-errors.ts';
import { createBrokerApp, createBrokerDeps, startBrokerWorkers, type BrokerDeps } from './broker/index.ts';
import { errorBody } from './merchant/api-errors.ts';
import { createMerchantApp, createMerchantDeps, merchantErrorHandler, startMerchantWorkers, STATUS_ROUTE, statusFastPath, type MerchantDeps, type NodeFastPath } from './merchant/index.ts';

export interface AppParts {
  /** Where the request log (server/ops/logger.ts) writes: it sees every request first and sends its `x-request-id`. */
  logger?: Logger;
  /** Sub-apps mounted after the merchant's routes (sandbox, demo, broker), each with its own error format. */
  mounts?: Array<{ path: string; app: Hono<any> }>;
  /** Reports whether the server is ready for `/healthz` (e.g. migrations done). */
  ready?: () => boolean;
  /** The background workers this process runs and whether each is running, for `/readyz`. */
  workers?: () => Record<string, boolean>;
  /** The status streams open in this app, so a shutdown can end them with a final event. */
  streams?: OpenStreams;
}

/** The feed holds every status stream: metrics count them, a shutdown ends them (ops/open-streams.ts). */
function streamsOf(deps: MerchantDeps): OpenStreams {
  return {
    get size() {
      return deps.feed.size;
    },
    closeAll() {
      const open = deps.feed.size;
      void deps.feed.close();
      return open;
    },
  };
}

export interface ServerApp {
  app: Hono;
  /** Answers the status route's cache hits ahead of `app`, as `app` would (merchant/status-fast-path.ts). */
  statusFastPath: NodeFastPath;
}

/** The server's app: `/healthz`, the merchant half, then each mount, and one not-found per protocol. */
export function createApp(deps: MerchantDeps, parts: AppParts = {}): Hono {
  return createServerApp(deps, parts).app;
}

/** The server's app, and the fast path for what its merchant half, mounted at `/`, answers most. */
export function createServerApp(deps: MerchantDeps, parts: AppParts = {}): ServerApp {
  const app = new Hono();
  const { logger } = parts;
  if (logger) app.use('*', requestLog(logger));
  // Request metrics, /livez, /readyz and /metrics (server/ops/) see every request first.
  const ops = opsApi(deps, { started: parts.ready, workers: parts.workers, streams: parts.streams ?? streamsOf(deps) });
  app.use('*', ops.middleware);
  app.route('/', ops.routes);
  app.get('/healthz', async (c) => {
    if (parts.ready && !parts.ready()) return c.json({ status: 'starting' }, 503);
    try {
      await deps.store.db.selectFrom('orders').select('id').limit(1).execute();
    } catch (error) {
      return c.json({ status: 'unavailable', error: 'database not reachable' }, 503);
    }
    return c.json({ status: 'ok' });
  });
  app.route('/', createMerchantApp(deps));
  app.route('/admin', adminPage(deps));
  for (const mount of parts.mounts ?? []) app.route(mount.path, mount.app);

  app.notFound((c) => {
    // Paths like `//mixpay/x` miss every mounted app; answer them in their protocol's own format.
    const path = c.req.path.replace(/\/{2,}/g, '/');
    if (path.startsWith('/v1/') || path.startsWith('/admin/')) return c.json(errorBody(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`), 404);
    if (path === '/mixpay' || path.startsWith('/mixpay/')) return c.json(errorEnvelope(PARAMETER_ERROR, `Parameter error: no route ${c.req.method} ${c.req.path}`), 404);
    return c.text('Not found', 404);
  });
  // Mounts without an error handler of their own (sandbox, demo, element) answer like the merchant API.
  app.onError(merchantErrorHandler(deps.log));
  // The merchant half is mounted at `/` above: its status route is STATUS_ROUTE as it stands.
  const fastPath = statusFastPath(deps, {
    countRequest: ops.countRequest,
    ...(logger && {
      requestId: requestIdFor,
      // At debug the request log writes a line per poll: those go through Hono, which writes it.
      // (A 304's level is a 200's: requestLevel treats both as a routine success.)
      logsPolls: () => logger.isLevelEnabled(requestLevel('GET', STATUS_ROUTE, 200)),
    }),
  });
  return { app, statusFastPath: fastPath };
}

export interface ComposedServer extends ServerApp {
  merchant: MerchantDeps;
  broker: BrokerDeps | undefined;
  /** Starts each half's workers (once listening: in development MixPay and Mixin are this very server). */
  startWorkers(): Array<() => Promise<void>>;
  /** Stops what composing started (the sandbox's timers). */
  stops: Array<() => void | Promise<void>>;
  /** Status streams open now, to end with a final event on shutdown. */
  streams: OpenStreams;
  /** Marks every worker stopped, for `/readyz` while shutting down. */
  markWorkersStopped(): void;
}

/** Builds both halves from `config` over `store`, with the sandbox, the element and the demo when configured. */
export async function composeServer(
  config: Config,
  store: Store,
  log: (line: string) => void,
  now: () => number = Date.now,
  options: { logger?: Logger } = {},
): Promise<ComposedServer> {
  const merchant = createMerchantDeps({ config, store, now, log });
  const mounts: Array<{ path: string; app: Hono<any> }> = [];
  // First to stop: every open event stream gets its final event while the server still answers.
  const stops: Array<() => void | Promise<void>> = [() => merchant.feed.close()];
  if (config.MIXPAY_SANDBOX) {
    const { createSandbox } = await import('./sandbox/index.ts');
    const sandbox = createSandbox({
      timeScale: config.SANDBOX_TIME_SCALE,
      rateLimitPerMinute: config.SANDBOX_RATE_LIMIT_PER_MINUTE,
      log: (line: string) => log(`sandbox: ${line}`),
    });
    mounts.push({ path: '/sandbox', app: sandbox });
    stops.push(() => sandbox.stop());
  }
  // Broker mode (docs/broker.md): mounted after the merchant's /mixpay/callback, which answers first.
  let broker: BrokerDeps | undefined;
  if (config.broker) {
    broker = createBrokerDeps({ config: config.broker, store, publicUrl: config.PUBLIC_URL, log, trustProxy: config.TRUST_PROXY });
    mounts.push({ path: '/mixpay', app: createBrokerApp(broker) });
    log(`broker mode: wallets ${Object.keys(config.broker.wallets).join(', ')}${config.MIXPAY_SANDBOX ? `; try it at ${config.PUBLIC_URL}/sandbox/mixpay-checkout` : ''}`);
  }
  mounts.push({ path: '/widget', app: widgetAssets() });
  if (config.SERVE_DEMO) mounts.push({ path: '/', app: demoApp(config) });
  // Which background workers run here, for /readyz; filled once they start, cleared as they stop.
  const runningWorkers: Record<string, boolean> = {};
  const streams = streamsOf(merchant);
  return {
    ...createServerApp(merchant, { mounts, workers: () => runningWorkers, streams, ...(options.logger ? { logger: options.logger } : {}) }),
    merchant,
    broker,
    stops,
    streams,
    startWorkers() {
      const running: Array<() => Promise<void>> = [];
      if (config.RUN_WORKERS) {
        running.push(startMerchantWorkers(merchant).stop);
        Object.assign(runningWorkers, { reconciler: true, notifications: true }, merchant.incomeCheck ? { income: true } : {});
      }
      if (broker) {
        running.push(startBrokerWorkers(broker).stop);
        runningWorkers.broker = true;
      }
      return running;
    },
    markWorkersStopped() {
      for (const name of Object.keys(runningWorkers)) runningWorkers[name] = false;
    },
  };
}
