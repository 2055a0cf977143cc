/**
 * The broker's durable money jobs, queued in the same transaction as the status change that
 * calls for them (the merchant's notification outbox, merchant/notifications.ts, is the same
 * idea); workers/job-runner.ts runs them.
 */
import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { BrokerJobKind, Database } from '../store/schema.ts';

/** Queues a job once per (kind, order): the unique constraint absorbs a second request. */
export async function enqueueJob(trx: Transaction<Database>, kind: BrokerJobKind, traceId: string, reason: string, now: number): Promise<void> {
  await trx
    .insertInto('broker_jobs')
    .values({ id: randomUUID(), kind, trace_id: traceId, status: 'pending', reason, attempts: 0, next_run_at: now, locked_until: null, last_error: null, result: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['kind', 'trace_id']).doNothing())
    .execute();
}
