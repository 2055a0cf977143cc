/**
 * Keyset paging of GET /v1/orders (issue 12 §5) on both backends: `cursor` and `starting_after`
 * walk every order exactly once, newest first, also across orders created in the same
 * millisecond; `has_more` replaces the count, which only offset paging still pays for.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { TEST_API_KEY, stackPerSuite } from '../support/stack.ts';
import { seedOrders } from '../support/order-rows.ts';
import { orderListSchema } from '../../server/merchant/api-schemas.ts';
import { orderListQuery } from '../../server/merchant/order-queries.ts';
import { assertReadsIndexInOrder } from '../support/query-plan.ts';

for (const backend of await backends()) {
  describe(`order list paging on ${backend.name}`, () => {
    const suite = stackPerSuite(backend);
    let ids: string[];
    before(async () => {
      // 23 orders over 8 distinct milliseconds: pages must break ties by id, never skip or repeat.
      ids = await seedOrders(suite.store, 23, { createdAt: (i) => 1_700_000_000_000 + Math.floor(i / 3), status: (i) => (i % 5 === 0 ? 'PAID' : 'NEW') });
    });

    const list = async (query: string) => {
      const response = await fetch(`${suite.stack.url}/v1/orders?${query}`, { headers: { token: TEST_API_KEY } });
      assert.equal(response.status, 200, await response.clone().text());
      return orderListSchema.parse(await response.json());
    };

    test('cursor pages visit every order once, newest first, with has_more and no count', async () => {
      const seen: string[] = [];
      let query = 'limit=5';
      for (let page = 0; ; page++) {
        const body = await list(query);
        assert.equal(body.total, undefined, 'no count without offset');
        seen.push(...body.orders.map((o) => o.order_id));
        if (!body.has_more) {
          assert.equal(body.next_cursor, null);
          break;
        }
        assert.equal(body.orders.length, 5);
        query = `limit=5&cursor=${body.next_cursor}`;
        assert.ok(page < 10);
      }
      assert.equal(seen.length, 23);
      assert.equal(new Set(seen).size, 23);
      const everything = await list('limit=100&offset=0');
      assert.deepEqual(seen, everything.orders.map((o) => o.order_id), 'the same order as one big page');
      assert.equal(everything.total, 23, 'offset paging still counts');
      assert.equal(everything.has_more, false);
      const times = everything.orders.map((o) => o.created_at_t);
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
    });

    test('starting_after and a status filter', async () => {
      const paid = await list('status=PAID&limit=2');
      assert.equal(paid.orders.length, 2);
      assert.ok(paid.has_more);
      const rest = await list(`status=PAID&limit=10&starting_after=${paid.orders[1]!.order_id}`);
      assert.equal(rest.has_more, false);
      const all = [...paid.orders, ...rest.orders].map((o) => o.order_id);
      assert.deepEqual(new Set(all), new Set(ids.filter((_, i) => i % 5 === 0)));
    });

    test('pages read an index in order, never sort the table (fast at 100k orders)', async () => {
      const after = { created_at: Date.now(), id: ids[0]! };
      for (const filter of [{ limit: 20, offset: 0 }, { limit: 20, offset: 0, after }, { limit: 20, offset: 0, status: ['NEW' as const], after }]) {
        await assertReadsIndexInOrder(suite.store, backend.name, orderListQuery(suite.store.db, filter).compile(), /orders_(status_)?created_idx/);
      }
    });

    test('a cursor or starting_after that names nothing is refused', async () => {
      for (const query of ['cursor=bm9wZQ', 'starting_after=00000000-0000-0000-0000-000000000000', 'starting_after=nope']) {
        const response = await fetch(`${suite.stack.url}/v1/orders?${query}`, { headers: { token: TEST_API_KEY } });
        assert.equal(response.status, 400, query);
        assert.equal(((await response.json()) as any).error_code, 'INVALID_PARAMETERS');
      }
    });
  });
}
