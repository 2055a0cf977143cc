/**
 * Event streams (issue 12 §3): the server's RSS and CPU while STREAMS streams sit idle, and one
 * change fanned out to LISTENERS streams of one order (first, p99 and last arrival after the
 * change was made). A measurement, not a test: `node --import tsx scripts/measure-streams.ts`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

const STREAMS = Number(process.env.STREAMS ?? 10_000);
const LISTENERS = Number(process.env.LISTENERS ?? 1_000);
const PORT = 18795;
const base = `http://127.0.0.1:${PORT}`;
const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', 'dev'], {
  env: { ...process.env, PORT: String(PORT), HOST: '127.0.0.1', DATABASE_URL: `sqlite:/tmp/scale-streams-${process.pid}.db`, RUN_WORKERS: '0', SSE_PER_ADDRESS: '0', SERVE_DEMO: '0', MERCHANT_API_KEY: 'dev-merchant-key' },
  stdio: 'ignore',
});
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

async function createOrder(): Promise<string> {
  let response = await fetch(`${base}/healthz`);
  // MixPay's budget (about one link a second past a small burst): wait when it says so.
  while ((response = await fetch(`${base}/v1/orders`, { method: 'POST', headers: { token: 'dev-merchant-key', 'content-type': 'application/json' }, body: JSON.stringify({ price_amount: '1', price_currency: 'USD' }) })).status === 429) await new Promise((resolve) => setTimeout(resolve, 1000));
  return ((await response.json()) as { order: { order_id: string } }).order.order_id;
}

/** Opens a stream; `onStatus` is called with each status seen after the first. */
function openStream(id: string, onChange: (at: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/orders/${id}/events`, { agent }, (res) => {
      let first = true;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!chunk.includes('event: status')) return;
        if (first) {
          first = false;
          resolve();
          if (chunk.split('event: status').length > 2) onChange(performance.now());
        } else onChange(performance.now());
      });
    });
    req.on('error', reject);
    req.end();
  });
}

try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // Fan-out first, on a quiet server.
  const id = await createOrder();
  const arrivals: number[] = [];
  for (let i = 0; i < LISTENERS; i += 100) await Promise.all(Array.from({ length: Math.min(100, LISTENERS - i) }, () => openStream(id, (at) => arrivals.push(at))));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const changedAt = performance.now();
  await fetch(`${base}/v1/orders/${id}/cancel`, { method: 'POST', headers: { token: 'dev-merchant-key', 'content-type': 'application/json' }, body: '{}' });
  while (arrivals.length < LISTENERS && performance.now() - changedAt < 10_000) await new Promise((resolve) => setTimeout(resolve, 5));
  const delays = arrivals.map((at) => at - changedAt).sort((a, b) => a - b);
  console.log(`fan-out to ${LISTENERS}: ${delays.length} arrived; first ${delays[0]?.toFixed(1)} ms, p99 ${delays[Math.floor(delays.length * 0.99) - 1]?.toFixed(1)} ms, last ${delays.at(-1)?.toFixed(1)} ms (cancel answered within these)`);

  const idle = rssMb();
  const orders: string[] = [];
  for (let i = 0; i < 5; i++) orders.push(await createOrder());
  for (let i = 0; i < STREAMS; i += 200) await Promise.all(Array.from({ length: Math.min(200, STREAMS - i) }, (_, k) => openStream(orders[(i + k) % orders.length]!, () => {})));
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const held = rssMb();
  const ticks = cpuTicks();
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const cpu = (cpuTicks() - ticks) / 100 / 10;
  console.log(`${STREAMS} idle streams: RSS ${held.toFixed(0)} MB (${idle.toFixed(0)} MB before; ${(((held - idle) * 1000) / STREAMS).toFixed(1)} MB per 1,000), CPU ${(cpu * 100).toFixed(1)} % of a core over 10 s`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  child.kill('SIGKILL');
  agent.destroy();
  process.exit();
}
