/**
 * Paid → the element shows paid, in headless Chromium: the time from the sandbox's payment
 * (`simulate`, after which MixPay calls the callback) to the element's `mixpay-success`, over
 * Server-Sent Events and over the poll fallback (the page has no EventSource), with one server,
 * and with the callback handled by instance A while the element follows instance B (two
 * processes on one PostgreSQL database).
 *
 * Each payment costs three MixPay calls (the link, the payment callback's check, and the settle
 * callback's check 3 s later), and the server keeps to its MixPay budget; a payment starts only
 * once a model of that budget has room for it (lib/budget-model.ts), so that the callback's
 * check never waits for a token, which would otherwise be what this figure measures. Workers are
 * off for the same reason.
 *
 * A customer pays at no particular moment of the element's polling or of the server's re-reads,
 * so each payment comes a random 0–5 s after the element is following the order: paying right
 * after it connected would always land at the same point of those cycles.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { Bench } from '../lib/context.ts';
import { launchChromium, serveMerchantPage } from '../lib/browser.ts';
import { BudgetModel, SETTLE_CALLBACK_MS } from '../lib/budget-model.ts';
import { progress, sleep } from '../lib/log.ts';
import { createDatabase } from '../lib/postgres.ts';
import { startCompanion, type Companion } from '../lib/stack.ts';
import { percentile } from '../lib/stats.ts';

/** The longest cycle a payment should fall anywhere in: the server's 5 s re-read of each stream. */
const PAYMENT_PHASE_MS = 5000;

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

async function paidLatencies(browser: Browser, bench: Bench, options: { orders: Companion; element: Companion; budget: BudgetModel; transport: Transport; payments: number; label: string }): Promise<number[]> {
  const { orders, element, budget, transport, payments } = options;
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
      // Room for this payment's link and its callback's check, beside the settle checks to come.
      await sleep(budget.waitFor(2));
      const order = await orders.createOrder();
      budget.spend();
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
      await sleep(Math.random() * PAYMENT_PHASE_MS);
      const paidAt = Date.now();
      budget.spend();
      budget.spend(paidAt + SETTLE_CALLBACK_MS);
      await bench.mixpay.simulate(order.code);
      await page.waitForFunction((id) => (window as unknown as BenchWindow).__paid[id] !== undefined, order.id, { timeout: 20_000 }).catch(async (error: Error) => {
        // What the page shows and what the servers said, so a failed figure says why.
        const shown = await page.locator(selector).first().innerText().catch(() => '?');
        throw new Error(`${error.message.split('\n')[0]} (payment ${i + 1}; the element shows "${shown.replace(/\s+/g, ' ').slice(0, 200)}")\n--- ${orders.child.name}:\n${orders.child.output().slice(-3000)}\n--- MixPay:\n${bench.mixpay.child.output().slice(-3000)}`);
      });
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
      runsLabel: `${latencies.length} payment${latencies.length === 1 ? '' : 's'}`,
      target: stat === 'p95' ? target : '',
    });
  }
}

export async function elementFigures(bench: Bench): Promise<void> {
  const payments = bench.pick(30, 2);
  // The two-instance case waits up to 5 s per payment today: one is enough for a smoke run.
  const crossPayments = bench.pick(30, 1);
  const browser = await launchChromium();
  try {
    const single = await startCompanion({ name: 'element (SQLite)', databaseUrl: `sqlite:${join(bench.dir, 'element.db')}`, mixpay: bench.mixpay, env: { RUN_WORKERS: '0' } });
    try {
      const budget = new BudgetModel();
      for (const transport of ['SSE', 'poll'] as const) {
        const label = `${transport}, one instance`;
        report(bench, label, await paidLatencies(browser, bench, { orders: single, element: single, budget, transport, payments, label }));
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
      const budget = new BudgetModel();
      // Polling reads the database, whichever instance changed it: quick mode leaves that case out.
      for (const transport of bench.pick(['SSE', 'poll'] as const, ['SSE'] as const)) {
        const label = `${transport}, callback on instance A, element on B`;
        report(bench, label, await paidLatencies(browser, bench, { orders: a, element: b, budget, transport, payments: crossPayments, label }), transport === 'SSE' ? '≤ 250 ms' : '');
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
