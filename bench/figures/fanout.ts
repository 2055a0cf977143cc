/**
 * One status change fanned out to 1, 100 and 1,000 open streams of the same order: the time from
 * the change request (the merchant's cancel) to the first, the 99th-percentile and the last
 * stream's event. The ceiling is bare Hono emitting one event to as many streams (`POST /fire`),
 * read by the same client, so the client's own cost shows in both.
 */
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { progress } from '../lib/log.ts';
import { closeStreams, openStreams } from '../lib/sse.ts';
import { startCompanion } from '../lib/stack.ts';
import { percentile } from '../lib/stats.ts';

interface Arrivals {
  first: number;
  p99: number;
  last: number;
}

/** Opens `count` streams, calls `change`, and times each stream's next event from the call. */
async function fanOut(url: string, count: number, change: () => Promise<void>): Promise<Arrivals> {
  const streams = await openStreams(url, count);
  try {
    const t0 = performance.now();
    const changed = change();
    await Promise.all(streams.map((s) => s.received(2)));
    await changed;
    const times = streams.map((s) => s.arrivals[1]! - t0);
    return { first: Math.min(...times), p99: percentile(times, 99), last: Math.max(...times) };
  } finally {
    closeStreams(streams);
  }
}

export async function fanOutFigures(bench: Bench): Promise<void> {
  const runs = bench.pick(5, 1);
  const server = await startCompanion({ name: 'fan-out', databaseUrl: `sqlite:${join(bench.dir, 'fanout.db')}`, mixpay: bench.mixpay });
  const { bare } = bench;
  try {
    for (const size of [1, 100, 1_000]) {
      const measured: Arrivals[] = [];
      const ceiling: Arrivals[] = [];
      for (let run = 0; run < runs; run++) {
        progress(`fan-out to ${size}: run ${run + 1}/${runs}`);
        const order = await server.createOrder();
        measured.push(await fanOut(`${server.url}/v1/orders/${order.id}/events`, size, () => server.cancel(order.id)));
        ceiling.push(
          await fanOut(`${bare.url}/events`, size, async () => {
            await (await fetch(`${bare.url}/fire`, { method: 'POST' })).arrayBuffer();
          }),
        );
      }
      for (const key of size === 1 ? (['first'] as const) : (['first', 'p99', 'last'] as const)) {
        bench.report({
          figure: size === 1 ? 'fan-out of one change to 1 stream: arrival' : `fan-out of one change to ${size.toLocaleString('en-US')} streams: ${key} arrival`,
          unit: 'ms',
          values: measured.map((a) => a[key]),
          ceiling: ceiling.map((a) => a[key]),
          target: size === 1_000 && key === 'last' ? '≤ 50 ms' : '',
        });
      }
    }
  } finally {
    await server.stop();
  }
}
