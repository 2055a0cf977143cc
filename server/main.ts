/**
 * Starts the companion server: `startServer(config)` opens the store, migrates, builds the app
 * with its optional parts, starts the workers and listens (tests call it directly). `configFor`
 * reads settings for a command: `dev` (what `npm start` runs) fills unset settings with
 * development defaults. The commands themselves (`serve | dev | migrate | orders | notifications`)
 * live in cli.ts; running this file runs that CLI.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp, type AppDeps } from './app.ts';
import { developmentDefaults, incomeCheckKeys, loadConfig, type Config } from './config.ts';
import { demoApp } from './demo.ts';
import { widgetAssets } from './widget-assets.ts';
import { Catalog } from './merchant/catalog.ts';
import { StatusBus } from './merchant/status-bus.ts';
import { MixPayClient } from './mixpay/client.ts';
import { BudgetedMixPay, CallBudget } from './mixpay/call-budget.ts';
import { NotificationDelivery } from './workers/notification-delivery.ts';
import { Reconciler } from './workers/reconciler.ts';
import { IncomeWatcher } from './workers/income-watcher.ts';
import { createMixinClient } from './mixin/client.ts';
import { openStore } from './store/db.ts';
import { OpenStreams } from './ops/open-streams.ts';
import { migrateToLatest } from './store/migrate.ts';
import { brokerDevelopmentConfig, createBrokerApp, createBrokerDeps, loadBrokerConfig, startBrokerWorkers, type BrokerDeps } from './broker/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  deps: AppDeps;
  close(): Promise<void>;
}

const log = (line: string) => console.log(`[mixpay-checkout] ${line}`);

/** How long a shutdown waits for running jobs (a reconcile round, a notification) to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Reads settings for a command; `dev` fills development defaults and says which it used. */
export function configFor(command: 'dev' | 'serve' | 'migrate', env: Record<string, string | undefined> = process.env): { config: Config; filled: string[] } {
  if (command !== 'dev') return { config: loadConfig(env), filled: [] };
  const port = Number(env.PORT ?? 8787);
  const defaults = developmentDefaults(Number.isFinite(port) ? port : 8787);
  const filled = Object.keys(defaults).filter((key) => env[key] === undefined || env[key] === '');
  return { config: loadConfig(env, defaults), filled: filled.map((key) => `${key}=${defaults[key]}`) };
}

/** Opens the store, migrates, builds the app with its optional parts, and listens. */
export async function startServer(config: Config, options: { quiet?: boolean } = {}): Promise<RunningServer> {
  const say = options.quiet ? () => {} : log;
  const store = openStore(config.DATABASE_URL);
  await migrateToLatest(store.db);
  const now = () => Date.now();
  // Every MixPay call of this installation (links, callback checks, reconciliation) draws on one
  // budget kept in the database, shared with every other process on the same database.
  const budget = new CallBudget(store.db, { perMinute: config.MIXPAY_CALLS_PER_MINUTE, now });
  const mixpay = new MixPayClient({ baseUrl: config.MIXPAY_API_BASE });
  const income = incomeCheckKeys(config);
  const deps: AppDeps = {
    incomeCheck: income !== null,
    config,
    store,
    mixpay: new BudgetedMixPay(mixpay, budget, { maxWaitMs: 3_000 }),
    bus: new StatusBus(),
    catalog: Catalog.fromFile(config.CATALOG_FILE),
    now,
    log: say,
  };
  const mounts: Array<{ path: string; app: Hono<any> }> = [];
  const stops: Array<() => void | Promise<void>> = [];
  if (config.MIXPAY_SANDBOX) {
    const { createSandbox } = await import('./sandbox/index.ts');
    const sandbox = createSandbox({
      timeScale: config.SANDBOX_TIME_SCALE,
      rateLimitPerMinute: config.SANDBOX_RATE_LIMIT_PER_MINUTE,
      log: (line: string) => say(`sandbox: ${line}`),
    });
    mounts.push({ path: '/sandbox', app: sandbox });
    stops.push(() => sandbox.stop());
  }
  // Broker mode (issue 5): on when BROKER_CONFIG_FILE names a config; with the sandbox on and no
  // file, a development broker whose bot and wallets are the sandbox's. Mounted after the
  // merchant's /mixpay/callback, which createApp registers first.
  const brokerConfig = loadBrokerConfig(process.env) ?? (config.MIXPAY_SANDBOX ? brokerDevelopmentConfig(config.PUBLIC_URL) : null);
  let brokerDeps: BrokerDeps | undefined;
  if (brokerConfig) {
    brokerDeps = createBrokerDeps({ config: brokerConfig, store, publicUrl: config.PUBLIC_URL, log: say });
    mounts.push({ path: '/mixpay', app: createBrokerApp(brokerDeps) });
    say(`broker mode: wallets ${Object.keys(brokerConfig.wallets).join(', ')}${config.MIXPAY_SANDBOX ? `; try it at ${config.PUBLIC_URL}/sandbox/mixpay-checkout` : ''}`);
  }
  mounts.push({ path: '/widget', app: widgetAssets() });
  if (config.SERVE_DEMO) mounts.push({ path: '/', app: demoApp(config) });
  // Which background workers run here, for /readyz; filled once they start, cleared as they stop.
  const runningWorkers: Record<string, boolean> = {};
  const streams = new OpenStreams();
  const app = createApp(deps, { mounts, workers: () => runningWorkers, streams });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
  });
  if (config.RUN_WORKERS) {
    // Started once listening: in development MixPay (the sandbox) is this very server.
    const background = new BudgetedMixPay(mixpay, budget, { reserve: config.MIXPAY_RESERVED_CALLS });
    const reconciler = new Reconciler({
      store,
      mixpay: background,
      now,
      log: say,
      bus: deps.bus,
      graceMs: config.ORDER_EXPIRY_GRACE_SECONDS * 1000,
      incomeCheck: deps.incomeCheck,
    }).start(config.RECONCILE_INTERVAL_MS);
    if (income) {
      // The bot only reads its snapshots here: no PIN is needed or sent.
      const watcher = new IncomeWatcher({
        sync: { store, mixpay: background, now, incomeCheck: true },
        mixin: createMixinClient({ ...income, pin: '' }),
        log: say,
        bus: deps.bus,
      }).start(config.INCOME_INTERVAL_MS);
      stops.unshift(() => watcher.stop());
      say(`income check on: orders become PAID once bot ${income.app_id} receives MixPay's transfer`);
    }
    const notifier = new NotificationDelivery({ db: store.db, secrets: config.WEBHOOK_SECRET, now, log: say }).start(config.NOTIFY_INTERVAL_MS);
    stops.unshift(() => reconciler.stop(), () => notifier.stop());
    Object.assign(runningWorkers, { reconciler: true, notifications: true }, income ? { income: true } : {});
    if (!config.WEBHOOK_SECRET.length) say('WEBHOOK_SECRET is unset: notifications to merchants go out unsigned (never do this in production)');
  }
  if (brokerDeps) {
    // Started once listening: in development the bot's Mixin is this very server.
    const workers = startBrokerWorkers(brokerDeps);
    stops.unshift(() => workers.stop());
    runningWorkers.broker = true;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    url: `http://localhost:${port}`,
    port,
    deps,
    /**
     * Stops taking connections, ends status streams with a final `closing` event, lets running
     * jobs finish for up to SHUTDOWN_GRACE_MS (each is leased, so another process takes over what
     * is cut short), then drops the remaining connections and closes the store.
     */
    async close() {
      for (const name of Object.keys(runningWorkers)) runningWorkers[name] = false;
      const closed = new Promise<void>((done) => server.close(() => done()));
      streams.closeAll();
      const stopped = (async () => {
        for (const stop of stops) await stop();
      })();
      const grace = new Promise<void>((done) => setTimeout(done, SHUTDOWN_GRACE_MS).unref());
      await Promise.race([stopped, grace]);
      if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      await closed;
      await store.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/main.ts')) {
  // `npm start` runs this file; the installed `mixpay-checkout` command runs the same CLI.
  // Loaded after this module finished evaluating: cli.ts imports startServer from here.
  void import('./cli.ts').then(async ({ runCli }) => {
    process.exitCode = await runCli(process.argv.slice(2));
  });
}
