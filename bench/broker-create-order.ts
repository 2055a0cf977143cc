/**
 * Broker `POST /mixpay/create_order` under load (issue 12 §4): a server process with an instant
 * wallet and a fresh database, and this process firing requests from N connections for a fixed
 * time. Prints requests per second, p50, p99, max and the server's CPU per request, beside the
 * same figures for a bare Hono app on the same path measured just before (the same-run ceiling),
 * and the load average. Not a test: nothing here asserts a time.
 *
 *   node --import tsx bench/broker-create-order.ts [--connections 50] [--seconds 10] [--db sqlite|postgres] [--wallet stub|http]
 *
 * `--wallet stub` (the default) is a function in the server process that answers at once;
 * `--wallet http` is the real Binance Pay client calling an instant responder in a process of its
 * own, so its HTTP call is in the server's figures (as in `npm run bench`'s broker figure).
 *
 * `--serve instant-binance` runs only an instant Binance Pay responder (bench/figures/broker.ts).
 *
 * Diagnostics: BENCH_SYNC_NORMAL=1 (SQLite synchronous = NORMAL), BENCH_PG_ASYNC_COMMIT=1
 * (PostgreSQL synchronous_commit = off), BENCH_CPU_PROF=<dir> (a CPU profile of the server).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, createServer, request } from 'node:http';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const BOT = '21627808-77a3-4003-96fa-d8e57f66a724';

/**
 * `--serve instant-binance`: Binance Pay's create-order answer, at once and to any request, for
 * bench/figures/broker.ts's instant-wallet figure (a broker whose binance base_url is this
 * process). Plain node:http, so the wallet's side costs as little as it can.
 */
function serveInstantBinance(): void {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = `instant-${++n}`;
      const body = JSON.stringify({ status: 'SUCCESS', code: '000000', data: { prepayId: id, checkoutUrl: `https://pay.example/checkout/${id}`, deeplink: `bnc://app.binance.com/payment/${id}`, universalUrl: `https://app.binance.com/payment/${id}` } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as { port: number }).port));
  process.on('disconnect', () => process.exit(0));
}

async function serve(databaseUrl: string): Promise<void> {
  if (databaseUrl === 'instant-binance') return serveInstantBinance();
  const { serve: listen } = await import('@hono/node-server');
  const { Hono } = await import('hono');
  if (databaseUrl === 'bare') {
    // The same-run ceiling: bare Hono answering a constant envelope on the same path, same client.
    const envelope = { code: 0, success: true, message: '', data: { checkout_url: 'https://w.example/1', deep_link: '', universal_url: '' } };
    const bare = new Hono().post('/mixpay/create_order', (c) => c.json(envelope));
    listen({ fetch: bare.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send?.(info.port));
    process.on('message', (m) => m === 'cpu' && process.send?.({ cpu: process.cpuUsage() }));
    process.on('disconnect', () => process.exit(0));
    return;
  }
  const { openStore } = await import('../server/store/db.ts');
  const { migrateToLatest } = await import('../server/store/migrate.ts');
  const { parseBrokerConfig } = await import('../server/broker/config.ts');
  const { createBrokerApp } = await import('../server/broker/app.ts');
  const { syncBalances } = await import('../server/broker/workers/balance-sync.ts');
  const store = openStore(databaseUrl);
  await migrateToLatest(store.db);
  if (process.env.BENCH_SYNC_NORMAL) await (await import('kysely')).sql`pragma synchronous = NORMAL`.execute(store.db);
  const asset = { currency: 'USDT', min: '0.01', max: '100', min_usdt: '0.01', max_usdt: '100', fee: '0.01' };
  const config = parseBrokerConfig({
    wallets: { binance: { kind: 'binance', api_key: 'k', secret_key: 's', assets: { [USDT]: asset } } },
    mixin: { app_id: randomUUID(), session_id: randomUUID(), session_private_key: 'a'.repeat(64), server_public_key: 'b'.repeat(64), pin: 'c'.repeat(64) },
    mixpay: { bot_ids: [BOT], caps: { payee: { open_orders: null } } },
  });
  let n = 0;
  // BENCH_WALLET_URL: the real Binance Pay client against the instant responder (--wallet http).
  const { BinancePayClient } = await import('../server/wallets/binance.ts');
  const walletUrl = process.env.BENCH_WALLET_URL;
  const wallet = walletUrl ? new BinancePayClient({ baseUrl: walletUrl, apiKey: 'k', secretKey: 's' }) : {
    kind: 'binance',
    createOrder: async () => ({ upstreamId: `u${++n}`, checkoutUrl: `https://w.example/${n}`, deepLink: '', universalUrl: '' }),
    queryOrder: async () => ({ state: 'pending' as const }),
    refund: async () => {},
    close: async () => 'closed' as const,
    verifyWebhook: async () => { throw new Error('none'); },
    webhookAck: () => ({}),
  };
  const mixin = {
    listAssets: async () => [{ asset_id: USDT, symbol: 'USDT', balance: '10000000' }],
    transfer: async () => { throw new Error('none'); },
    snapshots: async () => [],
  };
  const deps = { config, store, publicUrl: 'http://127.0.0.1', mixin, wallets: { binance: wallet }, alerts: { alert: async (a: unknown) => void console.error(JSON.stringify(a).slice(0, 400)) }, now: Date.now, log: (line: string) => void (/failed|11002/.test(line) && console.error(line.slice(0, 300))) };
  await syncBalances(deps as never);
  const app = new Hono().route('/mixpay', createBrokerApp(deps as never));
  const server = listen({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.send?.(info.port));
  // The server's own CPU per request, which a loaded shared machine changes less than latency.
  process.on('message', (m) => m === 'cpu' && process.send?.({ cpu: process.cpuUsage() }));
  process.on('disconnect', () => server.close(() => void store.close().then(() => process.exit(0))));
}

function post(agent: Agent, port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mixpay/create_order', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(JSON.parse(text).code as number));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function load(port: number, connections: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const codes = new Map<number, number>();
  const until = Date.now() + seconds * 1000;
  // MixPay's calls name its merchants: a few payees with many orders each (a new payee costs one
  // more transaction for its reservation row).
  const payees = Array.from({ length: 20 }, () => randomUUID());
  const worker = async () => {
    while (Date.now() < until) {
      const body = JSON.stringify({
        payee_id: payees[latencies.length % payees.length], wallet: 'binance', asset_id: USDT, amount: '0.1', trace_id: randomUUID(), memo: 'bench',
        expired_at: Math.floor(Date.now() / 1000) + 600, return_url: 'https://mixpay.me/done', opponent_id: BOT,
      });
      const started = performance.now();
      const code = await post(agent, port, body);
      latencies.push(performance.now() - started);
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
  return { requests: latencies.length, perSecond: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99), max: at(1), codes: Object.fromEntries(codes) };
}

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1]!);
} else {
  const connections = Number(args.get('connections') ?? 50);
  const seconds = Number(args.get('seconds') ?? 10);
  const db = args.get('db') ?? 'sqlite';
  // PostgreSQL: a fresh database beside the admin one, dropped afterwards.
  const admin = args.get('url') ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `bench_broker_${Date.now()}`;
  const pg = db === 'postgres' ? new (await import('pg')).default.Client({ connectionString: admin }) : null;
  if (pg) {
    await pg.connect();
    await pg.query(`create database ${name}`);
    // A diagnostic, never a production setting: how much of the time is PostgreSQL's wait for its WAL flush.
    if (process.env.BENCH_PG_ASYNC_COMMIT) await pg.query(`alter database ${name} set synchronous_commit = off`);
  }
  const url = pg ? Object.assign(new URL(admin), { pathname: `/${name}` }).toString() : `sqlite:${join(mkdtempSync(join(tmpdir(), 'bench-broker-')), 'bench.db')}`;
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  /** Serves `target` (a DATABASE_URL, or 'bare') in a child, loads it, and stops it. */
  const measure = async (target: string, profiled: string[]) => {
    const child = spawn(process.execPath, [...profiled, '--import', 'tsx', new URL(import.meta.url).pathname, '--serve', target], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
    const cpu = () =>
      new Promise<NodeJS.CpuUsage>((resolve) => {
        child.once('message', (m) => resolve((m as { cpu: NodeJS.CpuUsage }).cpu));
        child.send('cpu');
      });
    await load(port, 1, 2); // warm-up
    const cpuBefore = await cpu();
    const result = await load(port, connections, seconds);
    const cpuAfter = await cpu();
    // User and system time: SQLite's fsync at each commit is system time.
    const cpuPerRequest = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000 / result.requests;
    const systemShare = (cpuAfter.system - cpuBefore.system) / (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
    return { ...result, cpuPerRequest, systemShare };
  };
  let responder: ChildProcess | undefined;
  if (args.get('wallet') === 'http') {
    responder = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--serve', 'instant-binance'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const port = await new Promise<number>((resolve) => responder!.once('message', (m) => resolve(Number(m))));
    process.env.BENCH_WALLET_URL = `http://127.0.0.1:${port}`;
  }
  const ceiling = await measure('bare', []);
  const result = await measure(url, profile);
  const line = (label: string, r: typeof result) =>
    `${label}, ${connections} connections, ${seconds} s: ${r.perSecond} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, server CPU ${r.cpuPerRequest.toFixed(3)} ms/request (${Math.round(100 * r.systemShare)} % system)`;
  console.log(line('bare Hono (same run)', ceiling));
  console.log(`${line(`broker create_order, ${db}`, result)}, codes ${JSON.stringify(result.codes)}`);
  console.log(`ratio to bare Hono: throughput ${(result.perSecond / ceiling.perSecond).toFixed(3)}×, CPU per request ${(result.cpuPerRequest / ceiling.cpuPerRequest).toFixed(1)}×; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  responder?.disconnect();
  if (pg) {
    await pg.query(`drop database if exists ${name} with (force)`);
    await pg.end();
  }
}
