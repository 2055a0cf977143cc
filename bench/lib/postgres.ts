/** Throwaway PostgreSQL databases at 127.0.0.1:5432 (trust auth, user postgres), dropped at the end. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const ADMIN = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };
const created = new Set<string>();

export interface ThrowawayDatabase {
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...ADMIN, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Null when PostgreSQL answers, else why not. */
export async function postgresProblem(): Promise<string | null> {
  try {
    await admin((client) => client.query('select 1'));
    return null;
  } catch (error) {
    return `no PostgreSQL at ${ADMIN.host}:${ADMIN.port} (${(error as Error).message})`;
  }
}

export async function createDatabase(): Promise<ThrowawayDatabase> {
  const name = `mixpay_bench_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`create database ${name}`));
  created.add(name);
  return {
    url: `postgres://${ADMIN.user}@${ADMIN.host}:${ADMIN.port}/${name}`,
    drop: () => dropDatabase(name),
  };
}

async function dropDatabase(name: string): Promise<void> {
  if (!created.delete(name)) return;
  await admin((client) => client.query(`drop database if exists ${name} with (force)`));
}

/** Drops every database this bench created and has not dropped yet. */
export async function dropAll(): Promise<void> {
  for (const name of [...created]) await dropDatabase(name).catch(() => {});
}
