/**
 * Runs a store test against every backend: a fresh SQLite file and a fresh PostgreSQL database
 * (created on 127.0.0.1:5432 and dropped afterwards). Off CI, when no PostgreSQL answers, the
 * PostgreSQL half prints one `skipped: no PostgreSQL at ...` line; on CI it fails instead.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../server/store/db.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStore extends Store {
  url: string;
  /** Closes the store and deletes its file or database. */
  dispose(): Promise<void>;
}

let postgresReachable: Promise<boolean> | undefined;

/** Tries a few times: on a loaded 2-core machine the first connect can take seconds. */
function checkPostgres(): Promise<boolean> {
  postgresReachable ??= (async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 10_000 });
      try {
        await client.connect();
        await client.query('select 1');
        return true;
      } catch {
        if (attempt < 3) await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      } finally {
        await client.end().catch(() => {});
      }
    }
    return false;
  })();
  return postgresReachable;
}

export async function createSqliteStore(): Promise<TestStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mixpay-test-'));
  const url = `sqlite:${join(dir, 'test.db')}`;
  const store = openStore(url);
  await migrateToLatest(store.db);
  return {
    ...store,
    url,
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function createPostgresStore(): Promise<TestStore> {
  const name = `mixpay_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = openStore(url.toString());
  await migrateToLatest(store.db);
  return {
    ...store,
    url: url.toString(),
    async dispose() {
      await store.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  create(): Promise<TestStore>;
}

/**
 * The backends to test on. PostgreSQL is required when CI is set; otherwise a missing server is
 * reported once and its half is left out.
 */
export async function backends(): Promise<Backend[]> {
  const list: Backend[] = [{ name: 'sqlite', create: createSqliteStore }];
  if (await checkPostgres()) {
    list.push({ name: 'postgres', create: createPostgresStore });
  } else if (process.env.CI) {
    throw new Error(`CI is set but no PostgreSQL answers at ${POSTGRES_ADMIN_URL}`);
  } else {
    console.log(`skipped: no PostgreSQL at ${POSTGRES_ADMIN_URL}`);
  }
  return list;
}
