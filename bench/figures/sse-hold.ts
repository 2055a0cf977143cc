/**
 * Server-Sent Event streams held open while nothing happens: the server's RSS growth per 1,000
 * streams and its CPU over an idle window. Every stream follows one NEW order (today each stream
 * re-reads it every 5 s); the ceiling is bare Hono holding the same number of idle streams. Each
 * run is a fresh process.
 */
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { progress, sleep } from '../lib/log.ts';
import { cpuPercentOver, type Child } from '../lib/processes.ts';
import { closeStreams, openStreams } from '../lib/sse.ts';
import { startBareHono, startCompanion } from '../lib/stack.ts';

const WARM_UP_STREAMS = 200;

interface Held {
  mbPer1000: number;
  cpuPercent: number;
}

async function hold(child: Child, url: string, count: number, idleMs: number, settleMs: number): Promise<Held> {
  // Open and close a few streams first, so the baseline already holds the code and buffers that
  // any first stream allocates, and the delta is what each further stream costs.
  closeStreams(await openStreams(url, WARM_UP_STREAMS));
  await sleep(settleMs);
  const before = child.rssMb();
  const streams = await openStreams(url, count);
  try {
    await sleep(settleMs); // let the opening burst settle before measuring "idle"
    const cpuPercent = await cpuPercentOver(child.pid, idleMs);
    return { mbPer1000: ((child.rssMb() - before) / count) * 1000, cpuPercent };
  } finally {
    closeStreams(streams);
  }
}

export async function sseHoldFigures(bench: Bench): Promise<void> {
  const sizes = bench.pick([1_000, 10_000], [300]);
  // Two of the server's 5 s re-read rounds in full mode. Streams open at different moments, so
  // their re-reads are spread over any window and a shorter one (quick) still samples them.
  const idleMs = bench.pick(10_000, 3_000);
  const settleMs = bench.pick(1000, 300);
  for (const size of sizes) {
    const server: Held[] = [];
    const bare: Held[] = [];
    for (let run = 0; run < bench.runs; run++) {
      progress(`SSE hold ${size.toLocaleString('en-US')} streams: run ${run + 1}/${bench.runs}`);
      const companion = await startCompanion({ name: 'sse hold', databaseUrl: `sqlite:${join(bench.dir, `sse-hold-${size}-${run}.db`)}`, mixpay: bench.mixpay });
      try {
        const order = await companion.createOrder();
        server.push(await hold(companion.child, `${companion.url}/v1/orders/${order.id}/events`, size, idleMs, settleMs));
      } finally {
        await companion.stop();
      }
      const ceiling = await startBareHono();
      try {
        bare.push(await hold(ceiling, `${ceiling.url}/events`, size, idleMs, settleMs));
      } finally {
        await ceiling.stop();
      }
    }
    const n = size.toLocaleString('en-US');
    bench.report({
      figure: `SSE, ${n} idle streams: RSS per 1,000 streams`,
      unit: 'MB',
      values: server.map((h) => h.mbPer1000),
      ceiling: bare.map((h) => h.mbPer1000),
      target: size === 10_000 ? '≤ 25.6 MB (256 MB for 10k)' : '',
    });
    bench.report({
      figure: `SSE, ${n} idle streams: server CPU`,
      unit: '% of a core',
      values: server.map((h) => h.cpuPercent),
      ceiling: bare.map((h) => h.cpuPercent),
      target: size === 10_000 ? '≤ 5 %' : '',
    });
  }
}
