/**
 * The backup and restore commands of docs/production.md, run as written: SQLite's online backup of
 * a live database, and pg_dump / pg_restore of a PostgreSQL one. Each backup must hold the order
 * written before it; the PostgreSQL restore brings back an order deleted after the dump.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../server/store/db.ts';
import { migrateToLatest } from '../../server/store/migrate.ts';
import { backends } from '../support/stores.ts';
import { insertOrder } from '../support/orders.ts';
import { REPO } from './package-tarball.ts';

const doc = readFileSync(join(REPO, 'docs/production.md'), 'utf8');
const shBlocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const block = (marker: string) => {
  const found = shBlocks.find((b) => b.includes(marker));
  assert.ok(found, `docs/production.md has a sh block with ${marker}`);
  return found.trim().split('\n');
};
const sh = (line: string, cwd: string, env: Record<string, string> = {}) => {
  const result = spawnSync('sh', ['-c', line], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  assert.equal(result.status, 0, `${line}\n${result.stdout}${result.stderr}`);
};

describe('docs/production.md: backups', async () => {
  const available = (await backends()).map((b) => b.name);

  test('SQLite: the online backup holds the live database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-backup-'));
    const store = openStore(`sqlite:${join(dir, 'data/mixpay.db')}`);
    try {
      await migrateToLatest(store.db);
      const order = await insertOrder(store);
      for (const line of block('.backup')) sh(line, dir); // while the server's connection is open
      const [backup] = readdirSync(join(dir, 'backups'));
      const ids = execFileSync('sqlite3', [join(dir, 'backups', backup!), 'select id from orders'], { encoding: 'utf8' }).trim();
      assert.equal(ids, order.id);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL: pg_dump, then pg_restore brings back what was lost', { skip: !available.includes('postgres') && 'no PostgreSQL' }, async () => {
    const postgres = (await backends()).find((b) => b.name === 'postgres')!;
    const store = await postgres.create();
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-pgdump-'));
    try {
      const order = await insertOrder(store);
      const [dump, restore] = block('pg_dump');
      sh(dump!, dir, { DATABASE_URL: store.url });
      await store.db.deleteFrom('orders').where('id', '=', order.id).execute();
      await store.close(); // pg_restore --clean drops and recreates the tables
      sh(restore!, dir, { DATABASE_URL: store.url });
      const check = openStore(store.url);
      try {
        const rows = await check.db.selectFrom('orders').select('id').execute();
        assert.deepEqual(rows.map((r) => r.id), [order.id]);
      } finally {
        await check.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await store.dispose().catch(() => {});
    }
  });
});
