/**
 * Many orders fast: one real order (created over HTTP, so every column has a value the server
 * wrote) is copied in SQL, straight into the schema the server's own migrations made. Only the
 * columns that must differ are rewritten; any column a later migration adds is copied as it is.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';

type Dialect = 'sqlite' | 'postgres';

/** Expressions for the columns each copy must not share with the template (`n` is the copy's number). */
function overrides(dialect: Dialect): Record<string, string> {
  const pad = dialect === 'sqlite' ? `printf('%012d', n)` : `lpad(n::text, 12, '0')`;
  return {
    id: `'00000000-0000-4000-8000-' || ${pad}`,
    mixpay_order_id: `'10000000-0000-4000-8000-' || ${pad}`,
    mixpay_code: `'bench-code-' || ${pad}`,
    mixpay_trace_id: `'bench-trace-' || ${pad}`,
    merchant_order_id: `'bench-' || ${pad}`,
    // Older than the template, one second apart, so "newest first" has real work to do.
    created_at: 'o.created_at - n * 1000',
    updated_at: 'o.created_at - n * 1000',
    // No reconciler check due for the copies.
    next_check_at: 'null',
  };
}

function copySql(dialect: Dialect, columns: string[], placeholders: [string, string, string]): string {
  const expr = overrides(dialect);
  const list = columns.map((c) => `"${c}"`).join(', ');
  const values = columns.map((c) => expr[c] ?? `o."${c}"`).join(', ');
  const [template, from, to] = placeholders;
  const series =
    dialect === 'sqlite'
      ? `with recursive g(n) as (select ${from} union all select n + 1 from g where n < ${to}) insert into orders (${list}) select ${values} from orders o, g where o.id = ${template}`
      : `insert into orders (${list}) select ${values} from orders o, generate_series(${from}::int, ${to}::int) as g(n) where o.id = ${template}`;
  return series;
}

/** Adds copies numbered `from`..`to` of order `templateId`; returns the number of orders after. */
export async function seedOrders(databaseUrl: string, templateId: string, from: number, to: number): Promise<number> {
  if (databaseUrl.startsWith('sqlite:')) {
    const db = new SQLite(databaseUrl.slice('sqlite:'.length));
    try {
      db.pragma('busy_timeout = 5000');
      const columns = (db.prepare('select name from pragma_table_info(?)').all('orders') as Array<{ name: string }>).map((r) => r.name);
      db.prepare(copySql('sqlite', columns, ['@template', '@from', '@to'])).run({ template: templateId, from, to });
      return (db.prepare('select count(*) as n from orders').get() as { n: number }).n;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const columns = (await client.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'orders' and table_schema = current_schema() order by ordinal_position`)).rows.map((r) => r.column_name);
    await client.query(copySql('postgres', columns, ['$1', '$2', '$3']), [templateId, from, to]);
    // What autovacuum would do shortly after a bulk load; the planner then sees the real table.
    await client.query('analyze orders');
    return Number((await client.query<{ n: string }>('select count(*) as n from orders')).rows[0]!.n);
  } finally {
    await client.end();
  }
}
