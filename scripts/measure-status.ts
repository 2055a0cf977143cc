/**
 * GET /v1/orders/{id}/status against a bare Hono app in the same run (issue 12 §2): 200 and 304
 * (If-None-Match) on SQLite and PostgreSQL. The servers are the bench's own (bench/lib/stack.ts:
 * `server/main.ts serve` with its sandbox off, and bench/lib/bare-hono.mjs), so the ratios mean
 * what `npm run bench` prints; each figure is paired with a bare-Hono run just before it, RUNS
 * times (DURATION s, 50 connections), and the ratio is the median of the pairs. A measurement, not a test:
 *   RUNS=3 DURATION=5 node --import tsx scripts/measure-status.ts [sqlite|postgres]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from '../bench/lib/load.ts';
import { createDatabase, dropAll } from '../bench/lib/postgres.ts';
import { stopAll } from '../bench/lib/processes.ts';
import { startBareHono, startCompanion, startMixPay } from '../bench/lib/stack.ts';

const RUNS = Number(process.env.RUNS ?? 3);
const SECONDS = Number(process.env.DURATION ?? 5);
const CONNECTIONS = 50;
const backends = process.argv.slice(2).length ? process.argv.slice(2) : ['sqlite', 'postgres'];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const dir = mkdtempSync(join(tmpdir(), 'status-measure-'));

try {
  const mixpay = await startMixPay(dir);
  const bare = await startBareHono();
  for (const backend of backends) {
    const database = backend === 'postgres' ? await createDatabase() : null;
    const server = await startCompanion({ name: `status ${backend}`, databaseUrl: database?.url ?? `sqlite:${join(dir, 'status.db')}`, mixpay });
    const order = await server.createOrder();
    const url = `${server.url}/v1/orders/${order.id}/status`;
    const first = await fetch(url);
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    await load({ url, connections: CONNECTIONS, seconds: 1 });
    const pairs = { ok: [] as Array<[number, number]>, notModified: [] as Array<[number, number]> };
    // The machine is shared: absolute numbers drift between minutes far more than within a pair.
    for (let run = 0; run < RUNS; run++) {
      const ceilingOk = (await load({ url: `${bare.url}/json`, connections: CONNECTIONS, seconds: SECONDS })).rps;
      pairs.ok.push([(await load({ url, connections: CONNECTIONS, seconds: SECONDS })).rps, ceilingOk]);
      const ceiling304 = (await load({ url: `${bare.url}/json`, connections: CONNECTIONS, seconds: SECONDS })).rps;
      pairs.notModified.push([(await load({ url, connections: CONNECTIONS, seconds: SECONDS, headers: { 'if-none-match': etag }, expectStatus: 304 })).rps, ceiling304]);
    }
    for (const [figure, runs] of [['200', pairs.ok], ['304', pairs.notModified]] as const) {
      const ratios = runs.map(([value, ceiling]) => value / ceiling);
      console.log(
        `status ${figure} ${backend.padEnd(8)} ${Math.round(median(runs.map((r) => r[0]))).toString().padStart(6)} req/s  bare ${Math.round(median(runs.map((r) => r[1]))).toString().padStart(6)}  ratio median ${median(ratios).toFixed(2)} (${ratios.map((r) => r.toFixed(2)).join(', ')})`,
      );
    }
    await server.stop();
    await database?.drop();
  }
} finally {
  await stopAll();
  await dropAll();
  rmSync(dir, { recursive: true, force: true });
}
