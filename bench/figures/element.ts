/**
 * Paid → the element shows paid, in headless Chromium: the time from the sandbox's payment
 * (`simulate`, after which MixPay calls the callback) to the element's `mixpay-success`, over
 * Server-Sent Events and over the poll fallback (the page has no EventSource), with one server,
 * and with the callback handled by instance A while the element follows instance B (two
 * processes on one PostgreSQL database).
 *
 * Each payment costs two MixPay calls (the link, then the callback's check), and the server keeps
 * to its MixPay budget (today 50 a minute after a burst of 9); once the burst is spent, payments
 * are spaced so that the callback's check never waits for the budget, which would otherwise be
 * what this figure measures. Workers are off for the same reason.
 *
 * A customer pays at no particular moment of the element's polling or of the server's re-reads,
 * so each payment comes a random 0–5 s after the element is following the order: paying right
 * after it connected would always land at the same point of those cycles.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Bench } from '../lib/context.ts';
import { launchChromium, serveMerchantPage } from '../lib/browser.ts';
import { progress, sleep } from '../lib/log.ts';
import { createDatabase } from '../lib/postgres.ts';
import { startCompanion, type Companion } from '../lib/stack.ts';
import { percentile } from '../lib/stats.ts';

/** More than one budget token's refill (50 a minute: 1.2 s) between a link and its callback's check. */
const BUDGET_GAP_MS = 1300;
/** The longest cycle a payment should fall anywhere in: the server's 5 s re-read of each stream. */
const PAYMENT_PHASE_MS = 5000;
/** Calls a fresh database's budget allows at once (one fewer than today's burst, to be safe). */
const BUDGET_BURST = 8;

/** MixPay calls spent so far on one database, shared by every scenario that uses it. */
interface Spent {
  calls: number;
}

type Transport = 'SSE' | 'poll';

interface BenchWindow {
  __paid: Record<string, number>;
  __streams: string[];
}

/** Runs in the page before its scripts: records paid events and open streams; `poll` removes EventSource. */
function instrument({ poll }: { poll: boolean }): void {
  const w = window as unknown as BenchWindow & { EventSource: unknown };
  w.__paid = {};
  w.__streams = [];
  document.addEventListener('mixpay-success', (event) => {
    w.__paid[(event as CustomEvent<{ order: { order_id: string } }>).detail.order.order_id] = Date.now();
  });
  if (poll) {
    w.EventSource = undefined; // the element's status controller then polls (typeof EventSource check)
    return;
  }
  const Native = window.EventSource;
  w.EventSource = class extends Native {
    constructor(url: string | URL, init?: EventSourceInit) {
      super(url, init);
      this.addEventListener('open', () => w.__streams.push(String(url)));
    }
  };
}

async function paidLatencies(browser: Browser, bench: Bench, options: { orders: Companion; element: Companion; spent: Spent; transport: Transport; payments: number; label: string }): Promise<number[]> {
  const { orders, element, spent, transport, payments } = options;
  const shop = await serveMerchantPage(element.url);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const latencies: number[] = [];
  try {
    await context.addInitScript(instrument, { poll: transport === 'poll' });
    const page = await context.newPage();
    await page.goto(shop.url);
    await page.waitForFunction(() => customElements.get('mixpay-button') !== undefined, undefined, { timeout: 10_000 });
    for (let i = 0; i < payments; i++) {
      if (i % 10 === 0) progress(`${options.label}: payment ${i + 1}/${payments}`);
      const order = await orders.createOrder();
      const linkAt = Date.now();
      await page.evaluate(
        ({ server, id }) => {
          const button = document.createElement('mixpay-button');
          button.setAttribute('server', server);
          button.setAttribute('order', id);
          document.body.replaceChildren(button); // the previous element leaves, and closes its stream
        },
        { server: element.url, id: order.id },
      );
      const selector = `mixpay-button[order="${order.id}"]`;
      await page.locator(`${selector} button`).first().click();
      await page.locator(`${selector} dialog[open]`).waitFor({ state: 'visible', timeout: 10_000 });
      if (transport === 'SSE') {
        await page.waitForFunction((id) => (window as unknown as BenchWindow).__streams.some((url) => url.includes(id)), order.id, { timeout: 10_000 });
      }
      spent.calls += 2;
      const following = Date.now();
      const earliest = spent.calls > BUDGET_BURST ? linkAt + BUDGET_GAP_MS : 0;
      await sleep(Math.max(earliest, following + Math.random() * PAYMENT_PHASE_MS) - Date.now());
      const paidAt = Date.now();
      await bench.mixpay.simulate(order.code);
      await page.waitForFunction((id) => (window as unknown as BenchWindow).__paid[id] !== undefined, order.id, { timeout: 20_000 });
      const shownAt = await page.evaluate((id) => (window as unknown as BenchWindow).__paid[id]!, order.id);
      latencies.push(shownAt - paidAt);
    }
  } finally {
    await context.close();
    await shop.close();
  }
  return latencies;
}

function report(bench: Bench, label: string, latencies: number[], target = ''): void {
  for (const [stat, p] of [['p50', 50], ['p95', 95], ['max', 100]] as const) {
    bench.report({
      figure: `paid → element shows paid, ${label}: ${stat}`,
      unit: 'ms',
      values: [percentile(latencies, p)],
      runsLabel: `${latencies.length} payments`,
      target: stat === 'p95' ? target : '',
    });
  }
}

export async function elementFigures(bench: Bench): Promise<void> {
  const payments = bench.pick(30, 2);
  const browser = await launchChromium();
  try {
    const single = await startCompanion({ name: 'element (SQLite)', databaseUrl: `sqlite:${join(bench.dir, 'element.db')}`, mixpay: bench.mixpay, env: { RUN_WORKERS: '0' } });
    try {
      const spent = { calls: 0 };
      for (const transport of ['SSE', 'poll'] as const) {
        const label = `${transport}, one instance`;
        report(bench, label, await paidLatencies(browser, bench, { orders: single, element: single, spent, transport, payments, label }));
      }
    } finally {
      await single.stop();
    }
    if (bench.postgresProblem) {
      bench.report({ figure: 'paid → element, callback on another instance', unit: '', values: [], error: `skipped: ${bench.postgresProblem}` });
      return;
    }
    const database = await createDatabase();
    const env = { RUN_WORKERS: '0' };
    const a = await startCompanion({ name: 'instance A', databaseUrl: database.url, mixpay: bench.mixpay, env });
    const b = await startCompanion({ name: 'instance B', databaseUrl: database.url, mixpay: bench.mixpay, env });
    try {
      const spent = { calls: 0 };
      // Polling reads the database, whichever instance changed it: quick mode leaves that case out.
      for (const transport of bench.pick(['SSE', 'poll'] as const, ['SSE'] as const)) {
        const label = `${transport}, callback on instance A, element on B`;
        report(bench, label, await paidLatencies(browser, bench, { orders: a, element: b, spent, transport, payments, label }), transport === 'SSE' ? '≤ 250 ms' : '');
      }
    } finally {
      await b.stop();
      await a.stop();
      await database.drop();
    }
  } finally {
    await browser.close();
  }
}
