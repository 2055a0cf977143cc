/**
 * Measures GET /v1/orders?limit=100 (through the real app, in-process) at 1k and 100k orders on
 * SQLite and PostgreSQL, and prints the median of each and their ratio (issue 12 §5: ≤ 1.5×).
 * A measurement, not a test: `node --import tsx scripts/measure-order-list.ts`.
 */
import { createPostgresStore, createSqliteStore, type TestStore } from '../test/support/stores.ts';
import { startStack, TEST_API_KEY } from '../test/support/stack.ts';
import { seedOrders } from '../test/support/order-rows.ts';

const QUERIES = ['limit=100', 'limit=100&status=NEW', 'limit=100&cursor=LAST'];
const RUNS = Number(process.env.RUNS ?? 40);

async function timeList(store: TestStore, size: number): Promise<Record<string, number>> {
  const stack = await startStack(store);
  const have = Number((await store.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  await seedOrders(store, size - have, { createdAt: (i) => 1_700_000_000_000 + (have + i) * 7, status: (i) => (i % 4 === 0 ? 'PAID' : 'NEW') });
  const get = (query: string) => stack.app.request(`/v1/orders?${query}`, { headers: { token: TEST_API_KEY } });
  const first = (await (await get('limit=100')).json()) as { next_cursor: string };
  const medians: Record<string, number> = {};
  for (const template of QUERIES) {
    const query = template.replace('LAST', first.next_cursor);
    const times: number[] = [];
    for (let i = 0; i < RUNS + 5; i++) {
      const started = performance.now();
      const response = await get(query);
      await response.arrayBuffer();
      if (i >= 5) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    medians[template] = times[Math.floor(times.length / 2)]!;
  }
  await stack.close();
  return medians;
}

for (const [name, create] of [['sqlite', createSqliteStore], ['postgres', createPostgresStore]] as const) {
  const store = await create();
  if (name === 'postgres') await store.db.executeQuery({ sql: 'analyze', parameters: [], query: undefined as never, queryId: undefined as never });
  const small = await timeList(store, 1_000);
  const large = await timeList(store, 100_000);
  if (name === 'postgres') await store.db.executeQuery({ sql: 'analyze', parameters: [], query: undefined as never, queryId: undefined as never });
  const large2 = name === 'postgres' ? await timeList(store, 100_000) : large;
  for (const query of QUERIES) {
    const a = small[query]!;
    const b = large2[query]!;
    console.log(`${name.padEnd(8)} GET /v1/orders?${query.padEnd(22)} 1k ${a.toFixed(2)} ms  100k ${b.toFixed(2)} ms  ratio ${(b / a).toFixed(2)}`);
  }
  await store.dispose();
}
