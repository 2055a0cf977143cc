/**
 * Order changes across processes on PostgreSQL (issue 12 §3): the transition that changes an
 * order sends `NOTIFY mixpay_order_changed, '<order id>:<version>'` inside its transaction, so
 * PostgreSQL delivers it at commit, and each process LISTENs on one dedicated connection. SQLite
 * serves one process, where the in-process bus is enough.
 */
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';

export const ORDER_CHANNEL = 'mixpay_order_changed';

/** True when `db` talks to PostgreSQL. */
export function isPostgres(db: Kysely<any> | Transaction<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Announces a new version of an order to every process (PostgreSQL only; delivered at commit). */
export async function announceOrderChange(trx: Transaction<any>, orderId: string, version: number): Promise<void> {
  if (isPostgres(trx)) await sql`select pg_notify(${ORDER_CHANNEL}, ${`${orderId}:${version}`})`.execute(trx);
}

export interface ChangeHandlers {
  onChange(orderId: string, version: number): void;
  /** After each (re)connect: messages sent while the connection was down are lost, so catch up. */
  onConnect(): void;
  log(line: string): void;
}

export interface ChangeListener {
  close(): Promise<void>;
}

/** LISTENs on one connection of its own, reconnecting with a growing pause (100 ms up to 5 s). */
export function listenForOrderChanges(driver: Pick<typeof pg, 'Client'>, connectionString: string, handlers: ChangeHandlers): ChangeListener {
  // The driver comes from openStore, which loads pg only when DATABASE_URL names PostgreSQL.
  let client: pg.Client | undefined;
  let closed = false;
  let pause = 100;
  let timer: NodeJS.Timeout | undefined;

  const reconnect = (why: string) => {
    const lost = client;
    client = undefined;
    lost?.removeAllListeners();
    lost?.on('error', () => {});
    void lost?.end().catch(() => {});
    if (closed || timer) return;
    handlers.log(`order change feed: ${why}; reconnecting in ${pause} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, pause);
    timer.unref();
    pause = Math.min(pause * 2, 5_000);
  };

  const connect = async () => {
    const next = new driver.Client({ connectionString });
    client = next;
    next.on('notification', (message) => {
      const [orderId, version] = (message.payload ?? '').split(':');
      if (orderId && version) handlers.onChange(orderId, Number(version));
    });
    next.on('error', (error) => reconnect(`connection lost (${error.message})`));
    next.on('end', () => client === next && reconnect('connection ended'));
    try {
      await next.connect();
      await next.query(`LISTEN ${ORDER_CHANNEL}`);
    } catch (error) {
      if (client === next) reconnect(`cannot listen (${(error as Error).message})`);
      return;
    }
    if (closed) return void next.end().catch(() => {});
    pause = 100;
    handlers.onConnect();
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      last?.on('error', () => {});
      await last?.end().catch(() => {});
    },
  };
}
