/**
 * `GET /v1/orders?limit=100` (the merchant API's first page, newest first) at 1k and 100k orders,
 * on SQLite and PostgreSQL, one connection at a time: the time one request takes. The rows are
 * seeded in SQL from one real order; the server runs without workers so that nothing else scans
 * the table meanwhile.
 */
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { load } from '../lib/load.ts';
import { progress } from '../lib/log.ts';
import { createDatabase } from '../lib/postgres.ts';
import { seedOrders } from '../lib/seed.ts';
import { MERCHANT_API_KEY, startCompanion } from '../lib/stack.ts';
import { spread } from '../lib/stats.ts';

export async function orderListFigures(bench: Bench): Promise<void> {
  const sizes = [1_000, bench.pick(100_000, 10_000)];
  const seconds = bench.pick(5, 1);
  for (const backend of ['sqlite', 'postgres'] as const) {
    const label = backend === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    if (backend === 'postgres' && bench.postgresProblem) {
      bench.report({ figure: `order list, ${label}`, unit: '', values: [], error: `skipped: ${bench.postgresProblem}` });
      continue;
    }
    const database = backend === 'postgres' ? await createDatabase() : null;
    const databaseUrl = database?.url ?? `sqlite:${join(bench.dir, 'order-list.db')}`;
    const server = await startCompanion({ name: `order list (${label})`, databaseUrl, mixpay: bench.mixpay, env: { RUN_WORKERS: '0' } });
    const { bare } = bench;
    try {
      const template = await server.createOrder();
      const listUrl = `${server.url}/v1/orders?limit=100`;
      const medians: number[] = [];
      let seeded = 1;
      for (const size of sizes) {
        progress(`order list ${label}: seeding to ${size.toLocaleString('en-US')} orders`);
        seeded = await seedOrders(databaseUrl, template.id, seeded, size - 1);
        if (seeded !== size) throw new Error(`seeded ${seeded} orders, wanted ${size}`);
        if (!bench.quick) await load({ url: listUrl, connections: 1, seconds: 2, headers: { token: MERCHANT_API_KEY } });
        // At one connection the mean time per request is exactly 1000 / (requests per second).
        const times: number[] = [];
        const ceiling: number[] = [];
        for (let run = 0; run < bench.runs; run++) {
          progress(`order list ${label} at ${size.toLocaleString('en-US')}: run ${run + 1}/${bench.runs}`);
          ceiling.push(1000 / (await load({ url: `${bare.url}/json`, connections: 1, seconds })).rps);
          times.push(1000 / (await load({ url: listUrl, connections: 1, seconds, headers: { token: MERCHANT_API_KEY } })).rps);
        }
        medians.push(spread(times).median);
        bench.report({ figure: `order list limit=100, ${label}, ${size.toLocaleString('en-US')} orders (mean, 1 conn)`, unit: 'ms', values: times, ceiling });
      }
      bench.report({
        figure: `order list, ${label}: ${sizes[1]!.toLocaleString('en-US')} ÷ 1,000 orders`,
        unit: '×',
        values: [medians[1]! / medians[0]!],
        target: '≤ 1.5×',
      });
    } finally {
      await server.stop();
      await database?.drop();
    }
  }
}
