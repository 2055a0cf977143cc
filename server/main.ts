/**
 * Starts the companion server. `dev` (what `npm start` runs) fills unset settings with development
 * defaults, turns the sandbox and the demo shop on, and prints what it chose; `serve` takes the
 * environment as it is; `migrate` only brings the database schema up to date.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp, type AppDeps } from './app.ts';
import { ConfigError, developmentDefaults, loadConfig, type Config } from './config.ts';
import { demoApp } from './demo.ts';
import { Catalog } from './merchant/catalog.ts';
import { StatusBus } from './merchant/status-bus.ts';
import { MixPayClient } from './mixpay/client.ts';
import { openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { brokerDevelopmentConfig, createBrokerApp, createBrokerDeps, loadBrokerConfig, startBrokerWorkers, type BrokerDeps } from './broker/index.ts';

export interface RunningServer {
  url: string;
  port: number;
  deps: AppDeps;
  close(): Promise<void>;
}

const log = (line: string) => console.log(`[mixpay-checkout] ${line}`);

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
  const deps: AppDeps = {
    config,
    store,
    mixpay: new MixPayClient({ baseUrl: config.MIXPAY_API_BASE }),
    bus: new StatusBus(),
    catalog: Catalog.fromFile(config.CATALOG_FILE),
    now: () => Date.now(),
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
  if (config.SERVE_DEMO) mounts.push({ path: '/', app: demoApp(config) });
  const app = createApp(deps, { mounts });

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
  });
  if (brokerDeps) {
    // Started once listening: in development the bot's Mixin is this very server.
    const workers = startBrokerWorkers(brokerDeps);
    stops.unshift(() => workers.stop());
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    url: `http://localhost:${port}`,
    port,
    deps,
    async close() {
      for (const stop of stops) await stop();
      await new Promise<void>((done) => {
        if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
        server.close(() => done());
      });
      await store.close();
    },
  };
}

async function main(argv: string[]): Promise<void> {
  const command = (argv[0] ?? 'serve') as 'dev' | 'serve' | 'migrate';
  if (!['dev', 'serve', 'migrate'].includes(command)) {
    console.error(`usage: mixpay-checkout dev | serve | migrate   (got "${argv[0]}")`);
    process.exit(2);
  }
  let config: Config;
  try {
    const chosen = configFor(command);
    config = chosen.config;
    if (chosen.filled.length) log(`development defaults for unset settings:\n  ${chosen.filled.join('\n  ')}`);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof Error) {
      console.error(`[mixpay-checkout] ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  if (command === 'migrate') {
    const store = openStore(config.DATABASE_URL);
    const applied = await migrateToLatest(store.db);
    log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
    await store.close();
    return;
  }
  const running = await startServer(config);
  log(`listening on ${running.url} (public URL ${config.PUBLIC_URL}, database ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')})`);
  if (config.SERVE_DEMO) log(`demo shop: ${config.PUBLIC_URL}/`);
  if (config.MIXPAY_SANDBOX) log(`sandbox: ${config.PUBLIC_URL}/sandbox (plays MixPay, Mixin and the wallets; never use in production)`);
  const shutdown = async () => {
    log('shutting down');
    await running.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('server/main.ts')) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(`[mixpay-checkout] failed to start: ${(error as Error).stack ?? error}`);
    process.exit(1);
  });
}
