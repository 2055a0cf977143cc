/**
 * SQLite's WAL checkpoints on a thread of their own. In WAL mode the connection that commits past
 * `wal_autocheckpoint` pages copies the WAL back into the database file and syncs it, inside that
 * COMMIT, on the event loop: under broker create_order's group commits that was about 30 µs of
 * every order and an fsync wait in the middle of the request path (issue 12 §4). Here a worker
 * thread with its own connection runs PASSIVE checkpoints (which never wait for, nor block, a
 * reader or writer) when the event loop nudges it after a group commit, at most every
 * NUDGE_EVERY_MS. The event loop's connection keeps an automatic checkpoint as a backstop, at
 * BACKSTOP_PAGES: under a steady stream of commits a PASSIVE checkpoint rarely finds the WAL
 * with nothing left to copy, which is when SQLite may start it again from the top, and the
 * backstop copies the few pages the worker has not and lets it restart. Durability is each
 * COMMIT's as before; a checkpoint only moves committed pages.
 *
 * The worker starts with the first group commit (a server that never group-commits pays no
 * thread), only for a database file. If it fails, the connection goes back to SQLite's default
 * automatic checkpoint and a warning says so.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';
import { reportWarning } from '../core/channels.ts';

/** The least time between two nudges: a checkpoint copies what a few dozen commits wrote, not one. */
export const NUDGE_EVERY_MS = 50;
/** The event loop's own automatic checkpoint while the worker runs (SQLite's default is 1,000 pages). */
export const BACKSTOP_PAGES = 10_000;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** Shared with the worker: [0] the nudge count, [1] 1 once it must stop. */
const NUDGES = 0;
const STOP = 1;

/** The worker, as plain CommonJS so it runs the same from the sources and from the package. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// PASSIVE never waits; a checkpoint already running elsewhere makes this one a no-op.
db.pragma('busy_timeout = 0');
const shared = workerData.shared;
for (;;) {
  const seen = Atomics.load(shared, ${NUDGES});
  if (Atomics.load(shared, ${STOP})) break;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') throw error;
  }
  Atomics.wait(shared, ${NUDGES}, seen);
}
db.close();
`;

export interface Checkpointer {
  /** After a commit: wakes the worker unless it was woken within NUDGE_EVERY_MS. */
  nudge(): void;
  /** Ends the worker (before the event loop's connection closes); resolves once it has exited. */
  stop(): Promise<void>;
  /** False once stopped, or once the worker failed and the connection checkpoints for itself. */
  readonly running: boolean;
}

const checkpointers = new WeakMap<SQLite.Database, Checkpointer | null>();
const require = createRequire(import.meta.url);

/** The database's checkpointer, started on first use; null for an in-memory or read-only database. */
export function checkpointerOf(database: SQLite.Database): Checkpointer | null {
  let checkpointer = checkpointers.get(database);
  if (checkpointer === undefined) {
    checkpointer = database.memory || database.readonly ? null : startCheckpointer(database);
    checkpointers.set(database, checkpointer);
  }
  return checkpointer;
}

/** Stops the database's checkpointer if one was started. */
export async function stopCheckpointer(database: SQLite.Database): Promise<void> {
  await checkpointers.get(database)?.stop();
}

/** A checkpointer for `database`; `driver` is the module the worker loads (a test names a broken one). */
export function startCheckpointer(database: SQLite.Database, driver = require.resolve('better-sqlite3')): Checkpointer {
  const shared = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: database.name, shared } });
  // A process that exits without closing its store is not kept alive by its checkpoints.
  worker.unref();
  let running = true;
  let lastNudge = -Infinity;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const wake = () => {
    Atomics.add(shared, NUDGES, 1);
    Atomics.notify(shared, NUDGES);
  };
  /** The event loop's connection checkpoints for itself again. */
  const giveBack = () => {
    running = false;
    if (database.open) database.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  };
  const fallBack = (why: string) => {
    if (!running) return;
    giveBack();
    reportWarning(`SQLite checkpoints are back on the event loop: the checkpoint thread ${why}`);
  };
  worker.once('error', (error) => fallBack(`failed (${error.message})`));
  worker.once('exit', (code) => fallBack(`exited with code ${code}`));
  database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return {
    nudge() {
      const at = Date.now();
      if (!running || at - lastNudge < NUDGE_EVERY_MS) return;
      lastNudge = at;
      wake();
    },
    async stop() {
      // Unreferenced while it ran; its exit is now awaited, so the process waits for it.
      worker.ref();
      if (running) {
        Atomics.store(shared, STOP, 1);
        wake();
        giveBack();
      }
      await exited;
    },
    get running() {
      return running;
    },
  };
}
