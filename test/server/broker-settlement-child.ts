/**
 * A settlement worker in its own process, for the crash test: opens the store named by
 * BROKER_CHILD_DATABASE_URL, builds the broker from BROKER_CHILD_CONFIG (JSON) and runs due jobs
 * once. The test kills it with SIGKILL while Mixin holds the answer to its transfer.
 */
import { openStore } from '../../server/store/db.ts';
import { createBrokerDeps } from '../../server/broker/deps.ts';
import { parseBrokerConfig } from '../../server/broker/config.ts';
import { runDueJobs } from '../../server/broker/workers/job-runner.ts';

const store = openStore(process.env.BROKER_CHILD_DATABASE_URL!);
const deps = createBrokerDeps({
  config: parseBrokerConfig(JSON.parse(process.env.BROKER_CHILD_CONFIG!)),
  store,
  publicUrl: 'http://127.0.0.1:9',
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write('ready\n');
await runDueJobs(deps, 1);
process.stdout.write('finished\n');
await store.close();
