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

/** What a member came to: its answer, or the error it is rejected with. */
type Outcome = { ok: true; value: unknown } | { ok: false; value: unknown };

/**
 * One transaction for `members`, each under a savepoint of its own. Round trips are the cost
 * (on a loaded machine each one waits for both processes to be scheduled), so the client
 * pipelines: the savepoints and statements of all members go out at once, and the COMMIT once
 * they have all come back. A member that fails aborts the transaction for every statement sent
 * behind it; the group then rolls back to that member's savepoint and sends the rest again, one
 * round trip more per failed member. So a statement that is to be undone fails itself
 * (held-order.ts makes a refused hold raise an error); a throwing `interpret` is undone the same
 * way, with the members after it, which are sent again. A pg without pipeline mode sends the
 * same queries one at a time: slower, never different.
 */
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
  // pg's pipeline mode, for this group only: the pool's other users keep one query at a time.
  const mode = client as unknown as { pipeline: boolean };
  mode.pipeline = true;
  const outcomes: Outcome[] = [];
  try {
    let from = 0;
    let first = 'begin; savepoint m0';
    /** The rollback that undoes the last failed member, still to be sent. */
    let undo: string | undefined;
    /** The savepoint set just before each member. */
    const before: string[] = members.map((_, i) => `m${i}`);
    while (from < members.length) {
      const opened = client.query(first);
      undo = undefined;
      const sent: Array<Promise<Outcome>> = [];
      const savepoints: Array<Promise<unknown>> = [];
      for (let i = from; i < members.length; i++) {
        if (i > from) savepoints.push(client.query(`savepoint ${before[i]}`).catch(() => undefined));
        const m = members[i]!;
        sent.push(
          client.query(m.statement).then(
            (result): Outcome => ({ ok: true, value: m.interpret(result) }),
            (error: unknown): Outcome => ({ ok: false, value: error }),
          ).catch((error: unknown): Outcome => ({ ok: false, value: error })),
        );
      }
      await opened;
      const answers = await Promise.all(sent);
      await Promise.all(savepoints);
      const failed = answers.findIndex((a) => !a.ok);
      if (failed === -1) {
        outcomes.push(...answers);
        break;
      }
      // A statement that lost its connection lost the whole transaction, not only its part.
      if (isConnectionLost(answers[failed]!.value)) throw answers[failed]!.value;
      outcomes.push(...answers.slice(0, failed + 1));
      const at = from + failed;
      undo = first = `rollback to savepoint ${before[at]}`;
      from = at + 1;
      // The member after it starts from that savepoint, which the rollback keeps.
      if (from < members.length) before[from] = before[at]!;
    }
    // A transaction still aborted by its last member would take COMMIT as ROLLBACK.
    const committed = [(await client.query(undo ? `${undo}; commit` : 'commit')) as pg.QueryResult | pg.QueryResult[]].flat().at(-1);
    if (committed?.command !== 'COMMIT') throw new Error(`the group's transaction ended in ${committed?.command ?? 'nothing'}, not COMMIT`);
  } catch (error) {
    mode.pipeline = false;
    // The transaction may be open and aborted, or the connection gone: the pool drops the client.
    client.release(error as Error);
    for (const m of members) m.reject(error);
    return;
  }
  mode.pipeline = false;
  client.release();
  members.forEach((m, i) => (outcomes[i]!.ok ? m.resolve(outcomes[i]!.value) : m.reject(outcomes[i]!.value)));
}
