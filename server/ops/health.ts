/**
 * Liveness and readiness. `/livez` answers while the process runs its event loop, and never looks
 * further, so an orchestrator restarts only a process that is stuck. `/readyz` says whether this
 * process should get traffic: the database answers, every migration this build knows has run, and
 * the background workers it is meant to run are running.
 */
import { sql, type Kysely } from 'kysely';
import { migrations } from '../store/migrations/index.ts';
import type { Database } from '../store/schema.ts';

export interface ReadinessSources {
  db: Kysely<Database>;
  /** False until start-up has finished (AppParts.ready). */
  started?: () => boolean;
  /** The background workers this process runs and whether each is running; empty when RUN_WORKERS is off. */
  workers?: () => Record<string, boolean>;
}

export interface Readiness {
  ready: boolean;
  checks: {
    started: boolean;
    database: 'ok' | string;
    migrations: 'ok' | string;
    workers: Record<string, boolean> | 'off';
  };
}

export async function checkReadiness(sources: ReadinessSources): Promise<Readiness> {
  const started = sources.started ? sources.started() : true;
  let database = 'ok';
  let pending = 'ok';
  try {
    await sql`select 1`.execute(sources.db);
    try {
      const applied = new Set((await sql<{ name: string }>`select name from kysely_migration`.execute(sources.db)).rows.map((r) => r.name));
      const missing = Object.keys(migrations).filter((name) => !applied.has(name));
      if (missing.length) pending = `not applied: ${missing.join(', ')} (run mixpay-checkout migrate)`;
    } catch {
      pending = 'no migration table: run mixpay-checkout migrate';
    }
  } catch (error) {
    database = `not reachable: ${(error as Error).message}`;
    pending = 'unknown';
  }
  const workers = sources.workers?.() ?? {};
  const workersOk = Object.values(workers).every(Boolean);
  return {
    ready: started && database === 'ok' && pending === 'ok' && workersOk,
    checks: { started, database, migrations: pending, workers: Object.keys(workers).length ? workers : 'off' },
  };
}
