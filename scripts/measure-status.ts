/**
 * GET /v1/orders/{id}/status against a bare Hono app in the same run (issue 12 §2): 200 and 304
 * (If-None-Match) on SQLite and PostgreSQL, each the median of RUNS runs of autocannon
 * (DURATION s, 50 connections), each paired with a bare-Hono run just before it. A measurement, not a test:
 *   node --import tsx scripts/measure-status.ts      (AUTOCANNON=<path to its bin> to skip npx)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';

const RUNS = Number(process.env.RUNS ?? 3);
const DURATION = process.env.DURATION ?? '10';
const run = promisify(execFile);
const autocannon = process.env.AUTOCANNON ? [process.env.AUTOCANNON] : ['npx', '--yes', 'autocannon'];

const BARE = `import { Hono } from 'hono'; import { serve } from '@hono/node-server';
const app = new Hono(); app.get('/', (c) => c.json({ status: 'NEW', version: 1 }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });`;

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function requestsPerSecond(url: string, headers: Record<string, string> = {}): Promise<number> {
  const args = [...autocannon.slice(1), '-c', '50', '-d', DURATION, '-j', ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}=${v}`]), url];
  const { stdout } = await run(autocannon[0]!, args, { maxBuffer: 1 << 24 });
  const result = JSON.parse(stdout) as { requests: { average: number }; non2xx: number; errors: number };
  return result.requests.average;
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const pgName = `mixpay_bench_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query(`create database ${pgName}`);
const bare = start(['--input-type=module', '-e', BARE], { PORT: '18790' });
const servers = [
  { name: 'sqlite', port: 18791, url: `sqlite:/tmp/scale-bench-${process.pid}.db` },
  { name: 'postgres', port: 18792, url: `postgres://postgres@127.0.0.1:5432/${pgName}` },
].map((s) => ({ ...s, child: start(['--import', 'tsx', 'server/main.ts', 'dev'], { PORT: String(s.port), HOST: '127.0.0.1', DATABASE_URL: s.url, RUN_WORKERS: '0', MERCHANT_API_KEY: 'dev-merchant-key' }) }));
try {
  await waitFor('http://127.0.0.1:18790/');
  const targets: Array<{ figure: string; url: string; headers?: Record<string, string> }> = [{ figure: 'bare Hono', url: 'http://127.0.0.1:18790/' }];
  for (const server of servers) {
    const base = `http://127.0.0.1:${server.port}`;
    await waitFor(`${base}/healthz`);
    const created = (await (await fetch(`${base}/v1/orders`, { method: 'POST', headers: { token: 'dev-merchant-key', 'content-type': 'application/json' }, body: JSON.stringify({ price_amount: '1', price_currency: 'USD' }) })).json()) as { order: { order_id: string } };
    const url = `${base}/v1/orders/${created.order.order_id}/status`;
    const etag = (await fetch(url)).headers.get('etag')!;
    targets.push({ figure: `status 200 ${server.name}`, url }, { figure: `status 304 ${server.name}`, url, headers: { 'if-none-match': etag } });
  }
  // Each figure is measured right after a bare-Hono run, and the ratio taken within the pair: the
  // machine is shared, so absolute numbers drift between minutes far more than within one.
  const results = new Map<string, Array<{ value: number; ceiling: number }>>();
  for (let i = 0; i < RUNS; i++) {
    for (const target of targets.slice(1)) {
      const ceiling = await requestsPerSecond(targets[0]!.url);
      const value = await requestsPerSecond(target.url, target.headers);
      results.set(target.figure, [...(results.get(target.figure) ?? []), { value, ceiling }]);
    }
  }
  for (const [figure, pairs] of results) {
    const ratios = pairs.map((p) => p.value / p.ceiling);
    console.log(
      `${figure.padEnd(20)} ${Math.round(median(pairs.map((p) => p.value))).toString().padStart(6)} req/s  bare ${Math.round(median(pairs.map((p) => p.ceiling))).toString().padStart(6)}  ratio median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
    );
  }
} finally {
  bare.kill();
  for (const server of servers) server.child.kill();
  await new Promise((resolve) => setTimeout(resolve, 500));
  await admin.query(`drop database if exists ${pgName} with (force)`);
  await admin.end();
}
