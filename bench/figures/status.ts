/**
 * `GET /v1/orders/{id}/status`, answered 200 and 304 (If-None-Match), on SQLite and on
 * PostgreSQL, at 50 connections. Each run measures bare Hono's constant JSON right before, so the
 * ratio compares runs that shared the same moment of a noisy machine. A last row measures bare
 * Hono behind hono/cors configured as the status route's, for issue 12's question whether CORS
 * alone costs half the throughput.
 */
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { load } from '../lib/load.ts';
import { progress } from '../lib/log.ts';
import { createDatabase } from '../lib/postgres.ts';
import { startCompanion } from '../lib/stack.ts';

const CONNECTIONS = 50;

export async function statusFigures(bench: Bench): Promise<void> {
  const cors = { bare: [] as number[], withCors: [] as number[] };
  for (const backend of ['sqlite', 'postgres'] as const) {
    const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if (backend === 'postgres' && bench.postgresProblem) {
      bench.report({ figure: `status 200/304, ${label}`, unit: '', values: [], error: `skipped: ${bench.postgresProblem}` });
      continue;
    }
    const database = backend === 'postgres' ? await createDatabase() : null;
    const server = await startCompanion({ name: `status (${label})`, databaseUrl: database?.url ?? `sqlite:${join(bench.dir, 'status.db')}`, mixpay: bench.mixpay });
    const { bare } = bench;
    try {
      const order = await server.createOrder();
      const statusUrl = `${server.url}/v1/orders/${order.id}/status`;
      const first = await fetch(statusUrl);
      await first.arrayBuffer();
      const etag = first.headers.get('etag');
      if (!etag) throw new Error('the status answer has no ETag');
      const seconds = bench.pick(10, 1);
      const runs = { bare: [] as number[], ok: [] as number[], notModified: [] as number[] };
      // One short pass first: JIT, SQLite page cache and pg pool warm up outside the figures.
      await load({ url: statusUrl, connections: CONNECTIONS, seconds: bench.pick(2, 0.5) });
      for (let run = 0; run < bench.runs; run++) {
        progress(`status ${label}: run ${run + 1}/${bench.runs} (${seconds} s × 3)`);
        runs.bare.push((await load({ url: `${bare.url}/json`, connections: CONNECTIONS, seconds })).rps);
        runs.ok.push((await load({ url: statusUrl, connections: CONNECTIONS, seconds })).rps);
        runs.notModified.push((await load({ url: statusUrl, connections: CONNECTIONS, seconds, headers: { 'if-none-match': etag }, expectStatus: 304 })).rps);
        if (backend === 'sqlite') {
          cors.bare.push(runs.bare.at(-1)!);
          cors.withCors.push((await load({ url: `${bare.url}/json-cors`, connections: CONNECTIONS, seconds, headers: { origin: 'https://shop.example' } })).rps);
        }
      }
      bench.report({ figure: `status 200, ${label}, ${CONNECTIONS} conn`, unit: 'req/s', values: runs.ok, ceiling: runs.bare, target: '≥ 0.5× bare' });
      bench.report({ figure: `status 304, ${label}, ${CONNECTIONS} conn`, unit: 'req/s', values: runs.notModified, ceiling: runs.bare, target: '≥ 0.6× bare' });
    } finally {
      await server.stop();
      await database?.drop();
    }
  }
  bench.report({ figure: `bare Hono + hono/cors (as the status route), ${CONNECTIONS} conn`, unit: 'req/s', values: cors.withCors, ceiling: cors.bare });
}
