/**
 * The money jobs' claim (workers/job-runner.ts) under three runners at once: every paid order's
 * transfer is sent to Mixin once. On PostgreSQL each runner has its own pool, as three instances
 * have; SQLite serves one process, so there the three share its connection, their statements
 * interleaving between awaits. The claim is a compare-and-set on the job's lease; without it, runners that read
 * the same due jobs would each transfer them. (test/reliability/multi-instance-broker.test.ts
 * checks the same with three server processes.)
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../support/stores.ts';
import { openStore } from '../../server/store/db.ts';
import { createBrokerApp } from '../../server/broker/app.ts';
import { applyWalletState } from '../../server/broker/payment-sync.ts';
import { findOrder } from '../../server/broker/order-store.ts';
import { syncBalances } from '../../server/broker/workers/balance-sync.ts';
import { runDueJobs } from '../../server/broker/workers/job-runner.ts';
import { orderBody, testDeps } from './broker-fixtures.ts';
import { jsonPost } from '../support/broker-http.ts';

const ORDERS = 30;
const RUNNERS = 3;

for (const backend of await backends()) {
  describe(`transfer jobs under ${RUNNERS} concurrent runners (${backend.name})`, () => {
    test(`${ORDERS} paid orders: one Mixin transfer each, one done job each`, async () => {
      const store = await backend.create();
      const runners = Array.from({ length: RUNNERS }, () => (backend.name === 'postgres' ? openStore(store.url) : null));
      try {
        const deps = testDeps(store);
        await syncBalances(deps);
        const app = createBrokerApp(deps);
        const traceIds: string[] = [];
        for (let i = 0; i < ORDERS; i++) {
          const body = orderBody(deps.now(), { amount: '1' });
          const answer = (await (await app.request('/create_order', jsonPost(body))).json()) as { code: number; message: string };
          assert.equal(answer.code, 0, answer.message);
          traceIds.push(body.trace_id as string);
          await applyWalletState(deps, (await findOrder(store.db, body.trace_id as string))!, 'paid', deps.now());
        }
        // Each runner takes one job per claim and keeps going until none is due: they all read the
        // same due jobs at the same moments.
        await Promise.all(
          runners.map(async (runnerStore) => {
            const runner = { ...deps, store: runnerStore ?? store };
            while ((await runDueJobs(runner, 1)) > 0);
          }),
        );
        for (const traceId of traceIds) {
          assert.equal(deps.fakeMixin.transfers.filter((t) => t.trace_id === traceId).length, 1, `order ${traceId}: one transfer`);
          assert.equal((await findOrder(store.db, traceId))?.status, 'SETTLED');
        }
        const jobs = await store.db.selectFrom('broker_jobs').select(['status', 'attempts']).where('kind', '=', 'transfer').execute();
        assert.equal(jobs.length, ORDERS);
        assert.ok(jobs.every((job) => job.status === 'done' && Number(job.attempts) === 1), JSON.stringify(jobs));
      } finally {
        await Promise.all(runners.map((runner) => runner?.close()));
        await store.dispose();
      }
    });
  });
}
