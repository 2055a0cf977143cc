import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sql } from 'kysely';
import { parseDatabaseUrl } from '../../server/store/db.ts';
import { backends, POSTGRES_ADMIN_URL } from '../support/stores.ts';
import { eventually } from '../support/wait.ts';

describe('DATABASE_URL', () => {
  test('chooses the backend and names the variable when it is wrong', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:./data/mixpay.db'), { dialect: 'sqlite', target: './data/mixpay.db' });
    assert.deepEqual(parseDatabaseUrl('postgres://postgres@127.0.0.1/x'), { dialect: 'postgres', target: 'postgres://postgres@127.0.0.1/x' });
    assert.equal(parseDatabaseUrl('postgresql://h/x').dialect, 'postgres');
    assert.throws(() => parseDatabaseUrl('mysql://h/x'), /DATABASE_URL/);
    assert.throws(() => parseDatabaseUrl('sqlite:'), /DATABASE_URL/);
  });
});

for (const backend of await backends()) {
  describe(`store on ${backend.name}`, () => {
    test('migrations leave amounts as exact text and times as integers', async () => {
      const store = await backend.create();
      try {
        const now = Date.now();
        await store.db
          .insertInto('orders')
          .values({
            id: '11111111-1111-4111-8111-111111111111', merchant_order_id: null, product_id: null, title: 't', description: '',
            price_amount: '12345678901234567.12345678', price_currency: 'USD', quote_asset_id: 'usd', settlement_asset_id: 'x',
            payee_id: 'p', pay_amount: null, pay_currency: null, amount_due: null, status: 'NEW', failure_reason: null,
            callback_url: null, success_url: null, cancel_url: null, merchant_token: null,
            mixpay_order_id: '11111111-1111-4111-8111-111111111111', mixpay_code: null, mixpay_trace_id: null,
            checkout_url: null, universal_url: null, deep_link: null, expires_at: now, created_at: now, updated_at: now,
          } as never)
          .execute();
        const row = await store.db.selectFrom('orders').select(['price_amount', 'expires_at']).executeTakeFirstOrThrow();
        assert.equal(row.price_amount, '12345678901234567.12345678');
        assert.equal(row.expires_at, now);
        assert.equal(typeof row.expires_at, 'number');
      } finally {
        await store.dispose();
      }
    });

    test('callback lookups by traceId and link code are indexed', async () => {
      const store = await backend.create();
      try {
        const indexes =
          backend.name === 'sqlite'
            ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'orders'`.execute(store.db)).rows
            : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'orders'`.execute(store.db)).rows;
        const names = indexes.map((row) => row.name);
        assert.ok(names.includes('orders_mixpay_trace_id_idx'), names.join(', '));
        assert.ok(names.includes('orders_mixpay_code_idx'), names.join(', '));
      } finally {
        await store.dispose();
      }
    });

    if (backend.name === 'postgres') {
      test('a connection PostgreSQL ends while idle does not crash the process; the next query reconnects', async () => {
        const store = await backend.create();
        try {
          await sql`select 1`.execute(store.db);
          const database = new URL(store.url).pathname.slice(1);
          const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
          await admin.connect();
          const { rowCount } = await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
          await admin.end();
          assert.ok((rowCount ?? 0) >= 1, 'an idle connection was terminated');
          // "While idle": the next query comes once the pool has heard of the ends (their 'error'
          // events drop the clients), which a busy machine may deliver later than any fixed pause.
          await eventually(() => store.pool!.totalCount === 0, 10_000, 'the pool to drop the terminated connections');
          const { rows } = await sql<{ one: number }>`select 1 as one`.execute(store.db);
          assert.equal(rows[0]?.one, 1);
        } finally {
          await store.dispose();
        }
      });
    }
  });
}
