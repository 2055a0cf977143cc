/**
 * The `mixpay-checkout` command (bin/mixpay-checkout.js; `npm start` is `dev`):
 *
 *   mixpay-checkout init [--sandbox] [--force] write a starter .env (random keys) and catalog.json here
 *   mixpay-checkout serve                      start in production; refuses without https PUBLIC_URL, keys and WEBHOOK_SECRET
 *   mixpay-checkout dev                        start with development defaults, the sandbox and the demo shop
 *   mixpay-checkout migrate                    bring the database schema up to date
 *   mixpay-checkout orders list [--status NEW,PAID] [--limit 20] [--offset 0] [--json]
 *   mixpay-checkout orders show <order-id> [--json]
 *   mixpay-checkout notifications resend <event-id>
 *   mixpay-checkout trigger <outcome> [--order ID | --product ID] [--server URL] [--wait 15]
 *
 * The order and notification commands need only DATABASE_URL (environment or CONFIG_FILE);
 * trigger speaks HTTP to a running server with the sandbox (server/trigger.ts).
 * Every command reads `./.env` (or the file ENV_FILE names) first; the environment wins over it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { initCommand } from './init.ts';
import { ConfigError, productionProblems, readConfigFile, type Config } from './config.ts';
import { configFor, serverLogger, startServer } from './main.ts';
import { lineLogger } from './ops/logger.ts';
import { adminNotificationView, adminOrderView } from './merchant/admin-api.ts';
import { listOrdersQuerySchema } from './merchant/api-schemas.ts';
import { describeZodError } from './merchant/api-errors.ts';
import { NotificationNotFoundError, notificationsOf, resendNotification } from './merchant/notifications.ts';
import { historyOf, listOrders } from './merchant/order-queries.ts';
import { findOrder } from './merchant/order-store.ts';
import { openStore, type Store } from './store/db.ts';
import { TRIGGER_OUTCOMES, TriggerError, runTrigger, type TriggerOutcome } from './trigger.ts';
import { migrateToLatest } from './store/migrate.ts';

export const USAGE = `usage:
  mixpay-checkout init [--sandbox] [--force]
  mixpay-checkout serve
  mixpay-checkout dev
  mixpay-checkout migrate
  mixpay-checkout orders list [--status NEW,PAID] [--limit 20] [--offset 0] [--json]
  mixpay-checkout orders show <order-id> [--json]
  mixpay-checkout notifications resend <event-id>
  mixpay-checkout trigger <${TRIGGER_OUTCOMES.join('|')}> [--order ID | --product ID] [--server URL] [--wait 15]`;

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
}

const defaultIo: CliIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
};

class UsageError extends Error {}

/** Runs one command; resolves to the exit code (servers keep running until a signal). */
export async function runCli(argv: string[], given: CliIo = defaultIo): Promise<number> {
  const say = (line: string) => given.out(`[mixpay-checkout] ${line}`);
  try {
    const [command = 'serve', sub, ...rest] = argv;
    const io = command === 'init' || command === 'help' ? given : { ...given, env: withEnvFile(given.env, say) };
    switch (command) {
      case 'init':
        return initCommand([sub, ...rest].filter((a) => a !== undefined), io);
      case 'serve':
      case 'dev':
        return await serveCommand(command, io);
      case 'migrate':
        return await withStore(io, async (store) => {
          const applied = await migrateToLatest(store.db);
          say(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
          return 0;
        });
      case 'orders':
        if (sub === 'list') return await ordersList(rest, io);
        if (sub === 'show') return await ordersShow(rest, io);
        throw new UsageError(`unknown "orders ${sub ?? ''}"`);
      case 'notifications':
        if (sub === 'resend') return await notificationsResend(rest, io);
        throw new UsageError(`unknown "notifications ${sub ?? ''}"`);
      case 'trigger':
        return await triggerCommand([sub, ...rest].filter((a) => a !== undefined), io);
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    // node:util parseArgs says what was wrong with an option (unknown, missing its value, ...).
    const badOption = typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_');
    if (error instanceof UsageError || badOption) {
      given.err(`mixpay-checkout: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    // A configuration error (ours, or a part's own, such as BrokerConfigError) is the operator's
    // to fix: one line per problem, no stack.
    if (error instanceof ConfigError || (error instanceof Error && error.name.endsWith('ConfigError'))) {
      for (const line of error.message.split('\n')) given.err(`[mixpay-checkout] ${line}`);
      return 1;
    }
    if ((error as { code?: unknown })?.code === 'EADDRINUSE') {
      given.err(`[mixpay-checkout] PORT: ${(error as Error).message}; set PORT (and HOST) to a free address`);
      return 1;
    }
    given.err(`[mixpay-checkout] failed: ${(error as Error).stack ?? error}`);
    return 1;
  }
}

async function serveCommand(command: 'serve' | 'dev', io: CliIo): Promise<number> {
  const chosen = configFor(command, io.env);
  const config: Config = chosen.config;
  // A running server speaks through its logger: JSON lines, readable ones in development.
  const logger = serverLogger(config);
  const say = lineLogger(logger);
  if (chosen.filled.length) say(`development defaults for unset settings (for this machine only, never on a server others reach):\n  ${chosen.filled.join('\n  ')}`);
  if (chosen.keysFile) say(`development keys: random for this data directory, kept in ${chosen.keysFile} (mode 600); \`serve\` refuses them`);
  if (command === 'serve') {
    const problems = productionProblems(config);
    if (problems.length) {
      io.err(`[mixpay-checkout] refusing to start in production:\n${problems.map((p) => `  - ${p}`).join('\n')}\n(NODE_ENV=production is the default for serve; use \`dev\` to try things locally)`);
      return 1;
    }
  }
  const running = await startServer(config, { logger });
  say(`listening on ${running.url} (public URL ${config.PUBLIC_URL}, database ${config.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')})`);
  if (config.SERVE_DEMO) say(`demo shop: ${config.PUBLIC_URL}/`);
  if (config.MIXPAY_SANDBOX) say(`sandbox: ${config.PUBLIC_URL}/sandbox (plays MixPay, Mixin and the wallets; never use in production)`);
  if (config.ADMIN_API_KEY) say(`admin API: ${config.PUBLIC_URL}/admin/v1 (header x-admin-key); API document: ${config.PUBLIC_URL}/openapi.json`);
  const shutdown = async () => {
    say('shutting down');
    await running.close();
    logger.flush();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  return 0;
}

/**
 * The environment over the settings of `.env` in the working directory (or ENV_FILE), which is
 * where `mixpay-checkout init` writes them; without the file, the environment as it is.
 */
function withEnvFile(env: Record<string, string | undefined>, say: (line: string) => void): Record<string, string | undefined> {
  const path = env.ENV_FILE || '.env';
  if (!existsSync(path)) {
    if (env.ENV_FILE) throw new ConfigError(`ENV_FILE ${path} does not exist`);
    return env;
  }
  let fromFile: Record<string, string>;
  try {
    fromFile = parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new ConfigError(`ENV_FILE ${path} could not be read: ${(error as Error).message}`);
  }
  say(`settings from ${path} (the environment wins over it)`);
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** DATABASE_URL from the environment, else CONFIG_FILE, else the default SQLite file. */
function databaseUrl(env: Record<string, string | undefined>): string {
  const fromFile = readConfigFile(env).DATABASE_URL;
  return env.DATABASE_URL || (typeof fromFile === 'string' ? fromFile : '') || 'sqlite:./data/mixpay.db';
}

async function withStore<T>(io: CliIo, run: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(databaseUrl(io.env));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

async function ordersList(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { status: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean', default: false } },
    allowPositionals: true,
  });
  if (positionals.length) throw new UsageError(`orders list takes no argument "${positionals[0]}"`);
  const parsed = listOrdersQuerySchema.safeParse({ status: values.status, limit: values.limit, offset: values.offset });
  if (!parsed.success) throw new UsageError(describeZodError(parsed.error));
  return withStore(io, async (store) => {
    const { orders, total } = await listOrders(store.db, parsed.data);
    if (values.json) {
      io.out(JSON.stringify({ orders: orders.map(adminOrderView), total, limit: parsed.data.limit, offset: parsed.data.offset }, null, 2));
      return 0;
    }
    io.out(['order_id'.padEnd(36), 'status'.padEnd(14), 'price'.padEnd(18), 'merchant_order_id'.padEnd(20), 'created_at'].join('  '));
    for (const o of orders) {
      io.out(
        [
          o.id,
          `${o.status}${o.late_payment ? '*' : ''}`.padEnd(14),
          `${o.price_amount} ${o.price_currency}`.padEnd(18),
          (o.merchant_order_id ?? '-').slice(0, 20).padEnd(20),
          new Date(o.created_at).toISOString(),
        ].join('  '),
      );
    }
    io.out(`${orders.length} of ${total} order(s)${orders.some((o) => o.late_payment) ? '; * = paid late' : ''}`);
    return 0;
  });
}

async function ordersShow(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  const id = positionals[0];
  if (!id) throw new UsageError('orders show needs an order id');
  return withStore(io, async (store) => {
    const order = await findOrder(store.db, id);
    if (!order) {
      io.err(`no order ${id}`);
      return 1;
    }
    const [history, notifications] = await Promise.all([historyOf(store.db, id), notificationsOf(store.db, id)]);
    const view = { order: adminOrderView(order), history, notifications: notifications.map(adminNotificationView) };
    if (values.json) {
      io.out(JSON.stringify(view, null, 2));
      return 0;
    }
    const o = view.order;
    io.out(`order ${o.order_id}  ${o.status}${o.late_payment ? ' (paid late)' : ''}`);
    io.out(`  price ${o.price_amount} ${o.price_currency}; paid ${o.pay_amount ?? '-'} ${o.pay_currency ?? ''}; due ${o.amount_due ?? '-'}; settle ${o.settle_status ?? '-'} ${o.settle_amount ?? ''}`);
    io.out(`  merchant_order_id ${o.merchant_order_id ?? '-'}; MixPay orderId ${o.mixpay_order_id}, code ${o.mixpay_code ?? '-'}, trace ${o.mixpay_trace_id ?? '-'}`);
    io.out(`  created ${o.created_at}; expires ${o.expires_at}; next check ${o.reconcile.next_check_at ?? 'none'}`);
    io.out('history:');
    for (const e of history) io.out(`  ${e.at}  ${e.from ?? '-'} → ${e.to}  ${e.reason}`);
    io.out('notifications:');
    if (!view.notifications.length) io.out('  none');
    for (const n of view.notifications) {
      io.out(`  ${n.event_id}  ${n.status}  ${n.state}  → ${n.url}`);
      for (const a of n.attempts ?? []) io.out(`    #${a.attempt} ${a.at} ${a.trigger} ${a.outcome} ${a.http_status ?? ''}`);
    }
    return 0;
  });
}

async function notificationsResend(args: string[], io: CliIo): Promise<number> {
  const id = args[0];
  if (!id) throw new UsageError('notifications resend needs an event id (see `orders show <id>`)');
  return withStore(io, async (store) => {
    try {
      const n = await resendNotification(store.db, id, Date.now());
      io.out(`event ${n.id} (${n.order_status} of order ${n.order_id}) queued; a running server sends it to ${n.url} within seconds`);
      return 0;
    } catch (error) {
      if (error instanceof NotificationNotFoundError) {
        io.err(error.message);
        return 1;
      }
      throw error;
    }
  });
}

async function triggerCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { order: { type: 'string' }, product: { type: 'string' }, server: { type: 'string' }, wait: { type: 'string' } },
    allowPositionals: true,
  });
  const outcome = positionals[0];
  if (!outcome || !(TRIGGER_OUTCOMES as readonly string[]).includes(outcome)) {
    throw new UsageError(`trigger needs an outcome: one of ${TRIGGER_OUTCOMES.join(', ')}`);
  }
  if (positionals.length > 1) throw new UsageError(`trigger takes one outcome, not "${positionals[1]}"`);
  if (Boolean(values.order) === Boolean(values.product)) throw new UsageError('trigger needs exactly one of --order <id> and --product <id>');
  const wait = Number(values.wait ?? 15);
  if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait is a number of seconds');
  // The server named, else this machine's: PUBLIC_URL as `init` or `dev` would set it.
  const server = values.server ?? io.env.PUBLIC_URL ?? `http://localhost:${io.env.PORT || 8787}`;
  try {
    await runTrigger({
      outcome: outcome as TriggerOutcome,
      server,
      ...(values.order ? { order: values.order } : {}),
      ...(values.product ? { product: values.product } : {}),
      merchantApiKey: io.env.MERCHANT_API_KEY || undefined,
      waitMs: wait * 1000,
      say: (line) => io.out(`[mixpay-checkout] ${line}`),
    });
    return 0;
  } catch (error) {
    if (error instanceof TriggerError) {
      io.err(`[mixpay-checkout] trigger: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
