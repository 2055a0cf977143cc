/**
 * Prometheus metrics through prom-client, one registry per app. Counters of what this process
 * did (HTTP requests, MixPay calls, callbacks, notification attempts) come from the diagnostics
 * channels of core/channels.ts and a request middleware; gauges of what the database holds (orders
 * by status, the notification backlog, the reconciliation backlog, the MixPay budget, broker
 * balances and jobs) are read when scraped, so every process reports the whole installation's
 * state. docs/operations.md lists each metric with a suggested alert.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { answeredStatus } from '../core/node-headers.ts';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { CallBudget } from '../mixpay/call-budget.ts';
import { ORDER_STATUSES } from '../merchant/order-state.ts';
import type { OpenStreams } from './open-streams.ts';
import { callbackChannel, mixpayCallChannel, notificationAttemptChannel, type CallbackMessage, type MixPayCallMessage, type NotificationAttemptMessage } from '../core/channels.ts';

const PREFIX = 'mixpay_checkout_';

export interface MetricsDeps {
  db: Kysely<Database>;
  now: () => number;
  /** MIXPAY_CALLS_PER_MINUTE, to read the shared budget the way CallBudget counts it. */
  callsPerMinute: number;
  /** The status streams open in this process; counted here, ended by a shutdown. */
  streams: OpenStreams;
}

let processRegistry: Registry | undefined;

/** CPU, memory, event-loop lag and the like: collected once per process, whatever the number of apps. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: PREFIX });
  }
  return processRegistry;
}

export interface Metrics {
  /** This app's metrics and the process's. */
  scrape(): Promise<{ contentType: string; body: string }>;
  /** Counts and times every request by its route pattern (never the raw path) and status. */
  middleware: MiddlewareHandler;
  /**
   * Counts and times one request answered ahead of Hono (merchant/status-fast-path.ts) exactly
   * as the middleware counts Hono's: `started` is its `performance.now()` on arrival.
   */
  countRequest(method: string, route: string, status: number, started: number): void;
  /** Stops listening to the channels (tests that build many apps). */
  close(): void;
}

export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  const registers = [registry];

  const httpRequests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by route pattern and status', labelNames: ['method', 'route', 'status'], registers });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time to the response headers, by route pattern',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: `${PREFIX}sse_streams_open`,
    help: 'Status streams (Server-Sent Events) open now in this process',
    registers,
    collect() {
      this.set(deps.streams.size);
    },
  });
  const mixpayCalls = new Counter({ name: `${PREFIX}mixpay_calls_total`, help: "Calls to MixPay's API, by endpoint and outcome", labelNames: ['endpoint', 'outcome'], registers });
  const mixpayDuration = new Histogram({ name: `${PREFIX}mixpay_call_duration_seconds`, help: "Duration of calls to MixPay's API", labelNames: ['endpoint'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const callbacks = new Counter({ name: `${PREFIX}callbacks_total`, help: 'MixPay callbacks received, by what checking them found (mismatch_field names the field that did not match)', labelNames: ['outcome', 'mismatch_field'], registers });
  const attempts = new Counter({ name: `${PREFIX}notification_attempts_total`, help: 'Notification attempts to merchants, by outcome', labelNames: ['outcome'], registers });
  const attemptDuration = new Histogram({ name: `${PREFIX}notification_attempt_duration_seconds`, help: "Time the merchant's callback_url took to answer", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });

  const onMixPay = (message: unknown) => {
    const m = message as MixPayCallMessage;
    mixpayCalls.inc({ endpoint: m.endpoint, outcome: m.outcome });
    mixpayDuration.observe({ endpoint: m.endpoint }, m.durationMs / 1000);
  };
  const onCallback = (message: unknown) => {
    const m = message as CallbackMessage;
    callbacks.inc({ outcome: m.outcome, mismatch_field: m.field ?? '' });
  };
  const onAttempt = (message: unknown) => {
    const m = message as NotificationAttemptMessage;
    attempts.inc({ outcome: m.outcome });
    attemptDuration.observe(m.durationMs / 1000);
  };
  subscribe(mixpayCallChannel.name, onMixPay);
  subscribe(callbackChannel.name, onCallback);
  subscribe(notificationAttemptChannel.name, onAttempt);

  const { db, now } = deps;
  // A gauge read from the database that fails (the database is down) keeps its last value and
  // database_up says so: the scrape still answers, with the counters, when it matters most.
  const guarded = (read: (this: Gauge) => Promise<void>) =>
    async function (this: Gauge) {
      await read.call(this).catch(() => {});
    };
  new Gauge({
    name: `${PREFIX}database_up`,
    help: '1 when the database answered at this scrape, else 0 (the database gauges then show their last values)',
    registers,
    async collect() {
      this.set(await sql`select 1`.execute(db).then(() => 1, () => 0));
    },
  });
  new Gauge({
    name: `${PREFIX}orders`,
    help: 'Orders in the database, by status',
    labelNames: ['status'],
    registers,
    collect: guarded(async function () {
      const rows = await db.selectFrom('orders').select((eb) => ['status', eb.fn.countAll<number>().as('count')]).groupBy('status').execute();
      const counts = new Map(rows.map((r) => [r.status, Number(r.count)]));
      for (const status of ORDER_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    }),
  });
  new Gauge({
    name: `${PREFIX}notifications`,
    help: 'Notifications in the outbox, by state (failing: waiting after at least one failed attempt)',
    labelNames: ['state'],
    registers,
    collect: guarded(async function () {
      const rows = await db
        .selectFrom('notifications')
        .select((eb) => ['state', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>(eb.case().when('attempts', '>', 0).then(1).else(0).end()).as('failing')])
        .groupBy('state')
        .execute();
      const byState = new Map(rows.map((r) => [r.state, r]));
      for (const state of ['pending', 'delivered', 'gave_up', 'failed'] as const) this.set({ state }, Number(byState.get(state)?.count ?? 0));
      this.set({ state: 'failing' }, Number(byState.get('pending')?.failing ?? 0));
    }),
  });
  new Gauge({
    name: `${PREFIX}notification_oldest_undelivered_seconds`,
    help: 'Age of the oldest notification not yet delivered (0 when none waits)',
    registers,
    collect: guarded(async function () {
      const row = await db.selectFrom('notifications').select((eb) => eb.fn.min<number>('created_at').as('oldest')).where('state', '=', 'pending').executeTakeFirst();
      this.set(row?.oldest ? Math.max(0, (now() - Number(row.oldest)) / 1000) : 0);
    }),
  });
  new Gauge({
    name: `${PREFIX}reconcile_backlog`,
    help: 'Orders whose reconciliation check is due now or overdue',
    registers,
    collect: guarded(async function () {
      const row = await db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('count')).where('next_check_at', '<=', now()).executeTakeFirst();
      this.set(Number(row?.count ?? 0));
    }),
  });
  const budget = new CallBudget(db, { perMinute: deps.callsPerMinute, now });
  new Gauge({
    name: `${PREFIX}mixpay_budget_calls`,
    help: "MixPay calls free now in the installation's shared 60 s window",
    registers,
    collect: guarded(async function () {
      const row = await db.selectFrom('call_budgets').select('name').where('name', '=', budget.name).executeTakeFirst();
      this.set(row ? (await budget.state()).available : deps.callsPerMinute);
    }),
  });
  new Gauge({
    name: `${PREFIX}mixpay_blocked_seconds`,
    help: 'Seconds until the installation calls MixPay again after a 1429 or an outage (0 when not backing off)',
    registers,
    collect: guarded(async function () {
      const row = await db.selectFrom('call_budgets').select('blocked_until').where('name', '=', budget.name).executeTakeFirst();
      this.set(row ? Math.max(0, (Number(row.blocked_until) - now()) / 1000) : 0);
    }),
  });
  new Gauge({
    name: `${PREFIX}broker_balance`,
    help: "Broker mode: the bot's balance per asset, as last synced (a float: for alerting, not accounting)",
    labelNames: ['asset_id', 'symbol'],
    registers,
    collect: guarded(async function () {
      this.reset();
      for (const row of await db.selectFrom('broker_balances').selectAll().execute()) this.set({ asset_id: row.asset_id, symbol: row.symbol }, Number(row.balance));
    }),
  });
  new Gauge({
    name: `${PREFIX}broker_jobs`,
    help: 'Broker mode: transfer and refund jobs not done, by kind (failing: retried at least once)',
    labelNames: ['kind', 'state'],
    registers,
    collect: guarded(async function () {
      this.reset();
      const rows = await db
        .selectFrom('broker_jobs')
        .select((eb) => ['kind', eb.fn.countAll<number>().as('count'), eb.fn.sum<number>(eb.case().when('attempts', '>', 0).then(1).else(0).end()).as('failing')])
        .where('status', '=', 'pending')
        .groupBy('kind')
        .execute();
      for (const row of rows) {
        this.set({ kind: row.kind, state: 'pending' }, Number(row.count));
        this.set({ kind: row.kind, state: 'failing' }, Number(row.failing ?? 0));
      }
    }),
  });
  new Gauge({
    name: `${PREFIX}broker_orders`,
    help: 'Broker mode: orders by status',
    labelNames: ['status'],
    registers,
    collect: guarded(async function () {
      this.reset();
      const rows = await db.selectFrom('broker_orders').select((eb) => ['status', eb.fn.countAll<number>().as('count')]).groupBy('status').execute();
      for (const row of rows) this.set({ status: row.status }, Number(row.count));
    }),
  });

  // Each label set's two series, bound once: prom-client would otherwise hash the labels on every request.
  const series = new Map<string, { requests: { inc(): void }; duration: { observe(value: number): void } }>();
  const seriesOf = (method: string, route: string, status: string) => {
    const key = `${method} ${status} ${route}`;
    let bound = series.get(key);
    if (!bound) {
      const labels = { method, route, status };
      series.set(key, (bound = { requests: httpRequests.labels(labels), duration: httpDuration.labels(labels) }));
    }
    return bound;
  };

  const countRequest = (method: string, route: string, status: number, started: number) => {
    const series = seriesOf(method, route, String(status));
    series.requests.inc();
    series.duration.observe((performance.now() - started) / 1000);
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    const started = performance.now();
    await next();
    const answered = answeredStatus(c);
    // The route pattern that answered (`/v1/orders/:id`), never the raw path: ids would make
    // one series per order. A request no route took is `unmatched`.
    const pattern = routePath(c);
    const route = answered === 404 && (pattern === '*' || pattern === '/*') ? 'unmatched' : pattern;
    countRequest(c.req.method, route, answered, started);
  };

  return {
    async scrape() {
      const merged = Registry.merge([processMetrics(), registry]);
      return { contentType: registry.contentType, body: await merged.metrics() };
    },
    middleware,
    countRequest,
    close() {
      unsubscribe(mixpayCallChannel.name, onMixPay);
      unsubscribe(callbackChannel.name, onCallback);
      unsubscribe(notificationAttemptChannel.name, onAttempt);
    },
  };
}
