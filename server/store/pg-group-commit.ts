/**
 * PostgreSQL group commit, the counterpart of SQLite's (sqlite-statements.ts `groupCommitted`).
 * Every create_order of an asset updates the same reservation row and holds it to its COMMIT, so
 * one statement per transaction queued them one WAL flush apart: about 900 orders a second,
 * whatever the machine (issue 12 §4). Here the statements that arrive while a group is being
 * written, or in the same turn of the event loop, share the next transaction on one pooled
 * client, each in its own savepoint, and the row waits for one flush per group.
 */
import type pg from 'pg';
import { isConnectionLost } from './db.ts';

/** A named statement (db.ts `namedQuery`), parsed and planned once per connection. */
export interface GroupStatement {
  name: string;
  text: string;
  values: unknown[];
}

interface Member {
  statement: GroupStatement;
  lockOrder: string;
  interpret: (result: pg.QueryResult) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Group {
  waiting: Member[];
  /** A flush is scheduled or a group is being written: a new member waits for it to end. */
  busy: boolean;
}

/**
 * At most this many members per transaction: a group holds the rows it has locked until its
 * COMMIT, so a longer one would keep every other writer of the asset waiting longer; and
 * PostgreSQL tracks at most 64 subtransactions per backend in shared memory before every
 * snapshot of every session has to look them up elsewhere.
 */
export const MAX_GROUP = 64;

const groups = new WeakMap<pg.Pool, Group>();

const NEXT = 'release savepoint member; savepoint member';
const UNDO = 'rollback to savepoint member';

/**
 * Runs `statement` in the next group commit and settles with `interpret(result)` once the group
 * has committed. A member whose statement fails, or whose `interpret` throws (a refused hold),
 * is rolled back to its savepoint and rejected with that error; the others commit. A failure of
 * the transaction itself (a lost connection, a failed COMMIT) rejects every member, and none of
 * it is written. Members run in the order of `lockOrder` (then of arrival): a group that locks
 * rows of several keys takes them in the same order as every other group, of this process or
 * another, so two groups never wait for each other.
 */
export function pgGroupCommit<T>(pool: pg.Pool, statement: GroupStatement, lockOrder: string, interpret: (result: pg.QueryResult) => T): Promise<T> {
  let group = groups.get(pool);
  if (!group) {
    group = { waiting: [], busy: false };
    groups.set(pool, group);
  }
  const target = group;
  return new Promise<T>((resolve, reject) => {
    target.waiting.push({ statement, lockOrder, interpret, resolve: resolve as (value: unknown) => void, reject });
    if (!target.busy) flushSoon(pool, target);
  });
}

/** After the poll phase, so that every request read in this turn joins the group. */
function flushSoon(pool: pg.Pool, group: Group): void {
  group.busy = true;
  setImmediate(() => {
    const members = group.waiting.splice(0, MAX_GROUP);
    void commitGroup(pool, members).finally(() => {
      if (group.waiting.length > 0) flushSoon(pool, group);
      else group.busy = false;
    });
  });
}

async function commitGroup(pool: pg.Pool, members: Member[]): Promise<void> {
  // Array.prototype.sort is stable: members of one key keep their order of arrival.
  members.sort((a, b) => (a.lockOrder < b.lockOrder ? -1 : a.lockOrder > b.lockOrder ? 1 : 0));
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    for (const m of members) m.reject(error);
    return;
  }
  const outcomes: Array<{ ok: boolean; value: unknown }> = [];
  try {
    // Round trips are the cost: each savepoint command rides with the one before it.
    let next = 'begin; savepoint member';
    for (const m of members) {
      await client.query(next);
      try {
        outcomes.push({ ok: true, value: m.interpret(await client.query(m.statement)) });
        next = NEXT;
      } catch (error) {
        // A statement that lost its connection lost the whole transaction, not only its part.
        if (isConnectionLost(error)) throw error;
        outcomes.push({ ok: false, value: error });
        next = UNDO;
      }
    }
    await client.query(next === UNDO ? `${UNDO}; commit` : 'commit');
  } catch (error) {
    // The transaction may be open and aborted, or the connection gone: the pool drops the client.
    client.release(error as Error);
    for (const m of members) m.reject(error);
    return;
  }
  client.release();
  members.forEach((m, i) => (outcomes[i]!.ok ? m.resolve(outcomes[i]!.value) : m.reject(outcomes[i]!.value)));
}
