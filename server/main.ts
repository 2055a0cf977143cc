/**
 * Starts the companion server: `startServer(config)` opens the store, migrates, has
 * server/compose.ts build both halves from the config, listens and starts the workers (tests call
 * it directly). `configFor` reads settings for a command: `dev` (what `npm start` runs) fills
 * unset settings with development defaults. The commands themselves (`serve | dev | migrate | orders | notifications`)
 * live in cli.ts; running this file runs that CLI.
 */
import { createServer, type RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { composeServer } from './compose.ts';
import { DEFAULT_DATABASE_URL, developmentDefaults, loadConfig, type Config } from './config.ts';
import { dataDirectoryOf, DEV_KEY_NAMES, developmentKeys } from './dev-keys.ts';
import type { MerchantDeps, NodeFastPath } from './merchant/index.ts';
import { openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import { createLogger, lineLogger, logWarnings, type Logger } from './ops/logger.ts';

export interface RunningServer {
  url: string;
  port: number;
  /** The merchant half's dependencies (its store, clients and status bus). */
  deps: MerchantDeps;
  close(): Promise<void>;
}

/** How long a shutdown waits for running jobs (a reconcile round, a notification) to finish. */
const SHUTDOWN_GRACE_MS = 10_000;

/**
 * Reads settings for a command; `dev` fills development defaults and says which it used: `filled`
 * lists the settings, `keysFile` is where the development keys it filled are kept (server/dev-keys.ts).
 */
export function configFor(command: 'dev' | 'serve' | 'migrate', env: Record<string, string | undefined> = process.env): { config: Config; filled: string[]; keysFile?: string } {
  if (command !== 'dev') return { config: loadConfig(env), filled: [] };
  const port = Number(env.PORT ?? 8787);
  const unset = (key: string) => env[key] === undefined || env[key] === '';
  const defaults = developmentDefaults(Number.isFinite(port) ? port : 8787);
  // Keys only when one is missing: a data directory where every key is given gets no file.
  const kept = DEV_KEY_NAMES.some(unset) ? developmentKeys(dataDirectoryOf(env.DATABASE_URL || DEFAULT_DATABASE_URL)) : undefined;
  Object.assign(defaults, kept?.keys);
  const filled = Object.keys(defaults).filter(unset);
  const keysFilled = kept && DEV_KEY_NAMES.some(unset);
  return { config: loadConfig(env, defaults), filled: filled.map((key) => `${key}=${defaults[key]}`), ...(keysFilled && kept.file ? { keysFile: kept.file } : {}) };
}

/** Opens the store, migrates, composes both halves, listens and starts the workers. */
export async function startServer(config: Config, options: { quiet?: boolean; logger?: Logger } = {}): Promise<RunningServer> {
  // JSON lines through pino; readable lines in development; nothing at all when quiet (tests).
  const logger = options.quiet ? createLogger({ level: 'silent' }) : (options.logger ?? serverLogger(config));
  const say = lineLogger(logger);
  const stopWarnings = logWarnings(logger);
  const store = openStore(config.DATABASE_URL);
  await migrateToLatest(store.db);
  if (!config.CATALOG_FILE) say('CATALOG_FILE is unset: the catalog is empty, so POST /v1/checkout sells nothing (orders from POST /v1/orders work)');
  // Both halves from the parsed config, the broker's file included (server/compose.ts).
  const composed = await composeServer(config, store, say, Date.now, { logger });
  const stops = composed.stops;

  const server = createServer(serverListener(composed.app, composed.statusFastPath, config.HOST));
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  // Started once listening: in development MixPay and Mixin (the sandbox) are this very server.
  stops.unshift(...composed.startWorkers());
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  return {
    url: `http://localhost:${port}`,
    port,
    deps: composed.merchant,
    /**
     * Stops taking connections, ends status streams with a final `closing` event, lets running
     * jobs finish for up to SHUTDOWN_GRACE_MS (each is leased, so another process takes over what
     * is cut short), then drops the remaining connections and closes the store.
     */
    async close() {
      composed.markWorkersStopped();
      const closed = new Promise<void>((done) => server.close(() => done()));
      composed.streams.closeAll();
      const stopped = (async () => {
        for (const stop of stops) await stop();
      })();
      const grace = new Promise<void>((done) => setTimeout(done, SHUTDOWN_GRACE_MS).unref());
      await Promise.race([stopped, grace]);
      if ('closeAllConnections' in server) (server as { closeAllConnections(): void }).closeAllConnections();
      await closed;
      await store.close();
      stopWarnings();
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

/**
 * Node's listener for the app, as @hono/node-server's `serve` would make it (`hostname` stands in
 * for a missing Host header), with the fast path offered every request first.
 */
export function serverListener(app: Hono, fastPath: NodeFastPath, hostname?: string): RequestListener {
  const hono = getRequestListener(app.fetch, { hostname });
  return (incoming, outgoing) => {
    if (!fastPath(incoming, outgoing)) void hono(incoming, outgoing);
  };
}

/** The server's logger for a configuration: pretty in development only, LOG_LEVEL's level. */
export function serverLogger(config: Config): Logger {
  return createLogger({ pretty: config.NODE_ENV === 'development', level: config.LOG_LEVEL });
}
