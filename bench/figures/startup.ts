/**
 * Start to healthy and idle RSS: the production command (`bin/mixpay-checkout.js serve`, with
 * NODE_ENV=production and every setting production demands), `npm start`, and bare Hono. Each run
 * is a fresh process on a fresh SQLite file; RSS is read after a few idle seconds.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { progress, sleep } from '../lib/log.ts';
import { freePort } from '../../test/support/ports.ts';
import { startChild, type Child } from '../lib/processes.ts';
import { PAYEE_ID, startBareHono } from '../lib/stack.ts';


async function production(bench: Bench, run: number): Promise<Child> {
  const port = await freePort();
  const secret = () => randomBytes(24).toString('hex');
  return startChild({
    name: 'production serve',
    command: process.execPath,
    args: ['bin/mixpay-checkout.js', 'serve'],
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      // Production refuses a plain-http public URL; nothing calls it during this figure.
      PUBLIC_URL: 'https://shop.example',
      DATABASE_URL: `sqlite:${join(bench.dir, `start-${run}.db`)}`,
      MERCHANT_API_KEY: secret(),
      ADMIN_API_KEY: secret(),
      WEBHOOK_SECRET: secret(),
      MIXPAY_PAYEE_ID: PAYEE_ID,
      // Loopback, so an idle server can never reach the real MixPay.
      MIXPAY_API_BASE: bench.mixpay.apiBase,
    },
    url: `http://127.0.0.1:${port}`,
  });
}

async function npmStart(bench: Bench, run: number): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: 'npm start',
    command: 'npm',
    args: ['start', '--silent'],
    env: { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(bench.dir, `npm-start-${run}.db`)}` },
    url: `http://127.0.0.1:${port}`,
  });
}

export async function startupFigures(bench: Bench): Promise<void> {
  const idleMs = bench.pick(3000, 1000);
  const bare: { start: number[]; rss: number[] } = { start: [], rss: [] };
  const serve: { start: number[]; rss: number[] } = { start: [], rss: [] };
  const npm: number[] = [];
  for (let run = 0; run < bench.runs; run++) {
    progress(`startup: run ${run + 1}/${bench.runs}`);
    for (const [start, into] of [
      [() => startBareHono(), bare],
      [() => production(bench, run), serve],
    ] as const) {
      const child = await start();
      into.start.push(child.startMs);
      await sleep(idleMs);
      into.rss.push(child.rssMb());
      await child.stop();
    }
    // The whole development stack (its builds skipped once dist/ is up to date): full mode only.
    if (!bench.quick) {
      const dev = await npmStart(bench, run);
      npm.push(dev.startMs);
      await dev.stop();
    }
  }
  bench.report({ figure: 'production start → /healthz 200', unit: 'ms', values: serve.start, ceiling: bare.start, target: '≤ 500 ms' });
  if (npm.length) bench.report({ figure: '`npm start` → /healthz 200 (builds skipped: dist/ up to date)', unit: 'ms', values: npm, ceiling: bare.start, target: '≤ 1,500 ms' });
  bench.report({ figure: `idle RSS, production, ${idleMs / 1000} s after healthy`, unit: 'MB', values: serve.rss, ceiling: bare.rss, target: '≤ 1.5× bare' });
}
