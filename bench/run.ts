/**
 * `npm run bench [-- --quick] [-- --only status,sse] [-- --runs N]`: starts what the figures need
 * as child processes on free 127.0.0.1 ports, runs each figure for a bounded time, and prints a
 * Markdown table (stdout) of each figure's median over its runs beside the same-run ceiling.
 * Progress goes to stderr. Everything started is stopped, and every database dropped, at the end.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Bench, FigureGroup } from './lib/context.ts';
import { progress } from './lib/log.ts';
import { dropAll, postgresProblem } from './lib/postgres.ts';
import { stopAll } from './lib/processes.ts';
import { formatTable, type Row } from './lib/report.ts';
import { startBareHono, startMixPay } from './lib/stack.ts';
import { startupFigures } from './figures/startup.ts';
import { statusFigures } from './figures/status.ts';
import { orderListFigures } from './figures/order-list.ts';
import { sseHoldFigures } from './figures/sse-hold.ts';
import { fanOutFigures } from './figures/fanout.ts';
import { elementFigures } from './figures/element.ts';
import { brokerFigures } from './figures/broker.ts';
import { budgetFigures } from './figures/budget.ts';

/** In the order they run: start-up first, while the machine is quietest. */
const GROUPS: Record<string, FigureGroup> = {
  startup: startupFigures,
  status: statusFigures,
  list: orderListFigures,
  sse: sseHoldFigures,
  fanout: fanOutFigures,
  element: elementFigures,
  broker: brokerFigures,
  budget: budgetFigures,
};

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, runs: { type: 'string' } },
});
const quick = args.quick ?? false;
const only = args.only ? args.only.split(',').map((s) => s.trim()) : Object.keys(GROUPS);
const unknown = only.filter((name) => !GROUPS[name]);
if (unknown.length) {
  console.error(`unknown figure group(s) ${unknown.join(', ')}; choose from ${Object.keys(GROUPS).join(', ')}`);
  process.exit(2);
}

const rows: Row[] = [];
const dir = mkdtempSync(join(tmpdir(), 'mixpay-bench-'));
let cleaning: Promise<void> | undefined;
const cleanUp = () =>
  (cleaning ??= (async () => {
    await stopAll();
    await dropAll();
    rmSync(dir, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
}

const began = performance.now();
const loadAtStart = loadavg()[0]!;
try {
  if (!existsSync('dist/mixpay-button.js')) {
    progress('building the element (dist/ is missing)');
    const built = spawnSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
    if (built.status !== 0) throw new Error('vite build failed');
  }
  const bench: Bench = {
    quick,
    runs: Number(args.runs ?? (quick ? 1 : 3)),
    dir,
    mixpay: await startMixPay(dir),
    bare: await startBareHono(),
    postgresProblem: await postgresProblem(),
    report: (row) => rows.push(row),
    pick: (full, quickValue) => (quick ? quickValue : full),
  };
  if (bench.postgresProblem) progress(`PostgreSQL figures skipped: ${bench.postgresProblem}`);
  for (const name of only) {
    const group = GROUPS[name]!;
    progress(`${name}…`);
    try {
      await group(bench);
    } catch (error) {
      rows.push({ figure: `${name} figures`, unit: '', values: [], error: `failed: ${(error as Error).message.split('\n')[0]}` });
      progress(`${name} failed: ${(error as Error).stack}`);
    }
  }
} finally {
  await cleanUp();
}
const minutes = (performance.now() - began) / 60_000;
console.log(formatTable(rows));
console.log(`\n${quick ? 'quick' : 'full'} run, ${minutes.toFixed(1)} min, ${new Date().toISOString()}; ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end.`);
console.log('value = median of the runs; ceiling = bare Hono on @hono/node-server measured in the same runs unless named; ratio = value ÷ ceiling.');
