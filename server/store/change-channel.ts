/**
 * Order changes across processes on PostgreSQL (issue 12 §3): every write that moves an order's
 * version sends `NOTIFY mixpay_order_changed, '<order id>:<version>'` inside its transaction, so
 * PostgreSQL delivers it at commit, and each process LISTENs on one dedicated connection. SQLite
 * serves one process: there the same announcement goes to this process's listeners at once.
 */
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type pg from 'pg';

export const ORDER_CHANNEL = 'mixpay_order_changed';

/** True when `db` talks to PostgreSQL. */
export function isPostgres(db: Kysely<any> | Transaction<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

type LocalListener = (orderId: string, version: number) => void;
const localListeners = new Set<LocalListener>();

/**
 * Announces a new version of an order: on PostgreSQL to every process, delivered at commit; on
 * SQLite to this process's listeners (`onLocalOrderChange`) right away, even inside a transaction
 * that has yet to commit. That is early but not wrong for what they do with it (drop a cached
 * document, read the order again): SQLite has one connection here, so a read waits behind the
 * transaction and sees its outcome.
 */
export async function announceOrderChange(db: Kysely<any> | Transaction<any>, orderId: string, version: number): Promise<void> {
  if (isPostgres(db)) await sql`select pg_notify(${ORDER_CHANNEL}, ${`${orderId}:${version}`})`.execute(db);
  else for (const listener of localListeners) listener(orderId, version);
}

/** Hears every order change announced in this process on SQLite; returns the unsubscribe function. */
export function onLocalOrderChange(listener: LocalListener): () => void {
  localListeners.add(listener);
  return () => localListeners.delete(listener);
}

export interface ChangeHandlers {
  onChange(orderId: string, version: number): void;
  /** After each (re)connect: messages sent while the connection was down are lost, so catch up. */
  onConnect(): void;
  /** The connection is lost: changes may go unheard until the next `onConnect`. */
  onDisconnect?(): void;
  log(line: string): void;
}

/** How often the LISTEN connection is asked `select 1`, and how long it may take to answer. */
const PING_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

export interface ChangeListener {
  close(): Promise<void>;
}

/**
 * LISTENs on one connection of its own, reconnecting with a growing pause (100 ms up to 5 s). A
 * connection that dies without a word (a network cut, no RST) would leave `onConnect`'s listeners
 * believing they hear everything, so it is pinged every PING_MS and replaced when the ping fails.
 */
export function listenForOrderChanges(driver: Pick<typeof pg, 'Client'>, connectionString: string, handlers: ChangeHandlers): ChangeListener {
  // The driver comes from openStore, which loads pg only when DATABASE_URL names PostgreSQL.
  let client: pg.Client | undefined;
  let closed = false;
  let pause = 100;
  let timer: NodeJS.Timeout | undefined;
  let ping: NodeJS.Timeout | undefined;

  const reconnect = (why: string) => {
    const lost = client;
    client = undefined;
    clearInterval(ping);
    ping = undefined;
    if (lost) handlers.onDisconnect?.();
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
    ping = setInterval(() => {
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS).unref());
      Promise.race([next.query('select 1'), timeout]).catch((error: Error) => client === next && reconnect(`ping failed (${error.message})`));
    }, PING_MS);
    ping.unref();
    handlers.onConnect();
  };

  void connect();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(ping);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      last?.on('error', () => {});
      await last?.end().catch(() => {});
    },
  };
}
