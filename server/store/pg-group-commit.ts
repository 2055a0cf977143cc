/**
 * PostgreSQL group commit, the counterpart of SQLite's (sqlite-statements.ts `groupCommitted`).
 * Every create_order of an asset updates the same reservation row and holds it to its COMMIT, so
 * one statement per transaction queued them one WAL flush apart: about 900 orders a second,
 * whatever the machine (issue 12 §4). Here the statements that arrive while a group is being
 * written, or in the same turn of the event loop, share the next transaction on one pooled
 * client, and the row waits for one flush per group. The group goes out in one round trip,
 * COMMIT included; only a group in which a statement failed is run again with a savepoint per
 * member, so that the failure undoes only its own member.
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

/** Each pool's groups, one per lane (`laneOf`). */
const groups = new WeakMap<pg.Pool, Map<string, Group>>();

/**
 * The kind of rows a lock key names (`order:…`, `reservations:…`). Each kind has its own group,
 * and the groups of two kinds may be in flight at once, each on its own pooled client: a move to
 * NEW locks only its order's row, so it need not wait behind a group that waits for an asset's
 * reservation row. A group of moves waits for no row that a group of inserts holds (it locks
 * only existing orders' rows, each inserted and committed before its move), so an insert that
 * waits for a move (a repeated trace_id) is never waited for in turn: two groups in flight never
 * deadlock.
 */
function laneOf(lockOrder: string): string {
  const colon = lockOrder.indexOf(':');
  return colon === -1 ? lockOrder : lockOrder.slice(0, colon);
}

/**
 * Runs `statement` in the next group commit and settles with `interpret(result)` once the group
 * has committed. A member whose statement fails (a refused hold makes its statement fail,
 * held-order.ts) is rejected with that error and nothing of it is written; the others commit. A
 * failure of the transaction itself (a lost connection, a failed COMMIT) rejects every member,
 * and none of it is written. `interpret` only reads the answer: in the common case the COMMIT is
 * already on its way when the answers come back, so a throw rejects the member without undoing
 * its statement. Members of one kind of lock key share a group (`laneOf`) and run in the order
 * of `lockOrder` (then of arrival): a group that locks rows of several keys takes them in the
 * same order as every other group of its kind, of this process or another, so two groups never
 * wait for each other.
 */
export function pgGroupCommit<T>(pool: pg.Pool, statement: GroupStatement, lockOrder: string, interpret: (result: pg.QueryResult) => T): Promise<T> {
  let lanes = groups.get(pool);
  if (!lanes) groups.set(pool, (lanes = new Map()));
  const lane = laneOf(lockOrder);
  let group = lanes.get(lane);
  if (!group) {
    group = { waiting: [], busy: false };
    lanes.set(lane, group);
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
 * The common case in one round trip: BEGIN, every member's statement and COMMIT sent at once, with
 * no savepoints. The members' outcomes when all of it committed; undefined when a statement
 * failed, which made PostgreSQL end the transaction in ROLLBACK with nothing of it written, so the
 * caller runs the members again one savepoint each (`withSavepoints`). A lost connection throws.
 */
async function allAtOnce(client: pg.PoolClient, members: Member[]): Promise<Outcome[] | undefined> {
  const opened = client.query('begin');
  const sent = members.map((m) =>
    client.query(m.statement).then(
      (result): Outcome => ({ ok: true, value: result }),
      (error: unknown): Outcome => ({ ok: false, value: error }),
    ),
  );
  const ended = client.query('commit');
  // Awaited below; marked handled now, so a BEGIN that fails first leaves no unhandled rejection.
  ended.catch(() => undefined);
  await opened;
  const answers = await Promise.all(sent);
  const committed = (await ended).command === 'COMMIT';
  const failed = answers.find((a) => !a.ok);
  if (failed && isConnectionLost(failed.value)) throw failed.value;
  if (failed || !committed) return undefined;
  return members.map((m, i): Outcome => {
    try {
      return { ok: true, value: m.interpret(answers[i]!.value as pg.QueryResult) };
    } catch (error) {
      return { ok: false, value: error };
    }
  });
}

/**
 * One transaction for `members`, each under a savepoint of its own. Round trips are the cost
 * (on a loaded machine each one waits for both processes to be scheduled), so the client
 * pipelines: the savepoints and statements of all members go out at once, and the COMMIT once
 * they have all come back. A member that fails aborts the transaction for every statement sent
 * behind it; the group then rolls back to that member's savepoint and sends the rest again, one
 * round trip more per failed member. So a statement that is to be undone fails itself
 * (held-order.ts makes a refused hold raise an error); a throwing `interpret` is undone the same
 * way here, with the members after it, which are sent again. A pg without pipeline mode sends
 * the same queries one at a time: slower, never different.
 */
async function withSavepoints(client: pg.PoolClient, members: Member[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
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
  return outcomes;
}

/** One group: all at once, or when a member failed, one savepoint each; then every member is settled. */
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
  let outcomes: Outcome[];
  try {
    outcomes = (await allAtOnce(client, members)) ?? (await withSavepoints(client, members));
  } catch (error) {
    mode.pipeline = false;
    // The transaction may be open and aborted, or the connection gone: the pool drops the client.
    client.release(error as Error);
    for (const m of members) m.reject(error);
    return;
  }
  mode.pipeline = false;
  client.release();
  outcomes.forEach((outcome, i) => (outcome.ok ? members[i]!.resolve(outcome.value) : members[i]!.reject(outcome.value)));
}
