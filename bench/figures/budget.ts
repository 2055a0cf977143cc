/**
 * Orders against the MixPay call budget (MixPay allows 60 calls a minute; every order's link is
 * one call, and a paid order's two callbacks, payment and settlement, are checked with one call
 * each): a burst of 20 `POST /v1/orders` sent at
 * once, and then, on the same server, orders created by 4 callers back to back for a window,
 * with and without paying each one. The ceiling is MixPay's own limit. Each case is a fresh
 * server on a fresh database (the budget lives there), with its default budget settings.
 */
import { join } from 'node:path';
import type { Bench } from '../lib/context.ts';
import { progress } from '../lib/log.ts';
import { MERCHANT_API_KEY, startCompanion, type Companion } from '../lib/stack.ts';

const BURST = 20;
const CALLERS = 4;
const MIXPAY_PER_MINUTE = 60;

/** One `POST /v1/orders`; the HTTP status, and the sandbox code when created. */
async function tryCreate(server: Companion): Promise<{ status: number; code?: string }> {
  const response = await fetch(`${server.url}/v1/orders`, {
    method: 'POST',
    headers: { token: MERCHANT_API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ price_amount: '12.50', price_currency: 'USD', title: 'bench' }),
  });
  const body = (await response.json()) as { payment_url?: string };
  return { status: response.status, code: body.payment_url?.split('/').pop() };
}

async function burst(server: Companion): Promise<{ created: number; refused: number }> {
  const answers = await Promise.all(Array.from({ length: BURST }, () => tryCreate(server)));
  const created = answers.filter((a) => a.status === 200).length;
  const refused = answers.filter((a) => a.status === 429).length;
  if (created + refused !== BURST) throw new Error(`burst answered ${answers.map((a) => a.status).join(',')}`);
  return { created, refused };
}

/**
 * Orders created by CALLERS back-to-back callers until `end` (a `performance.now()` time): only
 * answers that arrived by then count. A caller whose order waits for a budget slot past `end`
 * (MIXPAY_BUDGET_WAIT_MS) is answered later and not counted. `pay` pays each at once.
 */
async function createUntil(bench: Bench, server: Companion, end: number, pay: boolean): Promise<number> {
  let created = 0;
  const payments: Array<Promise<void>> = [];
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < end) {
        const answer = await tryCreate(server);
        if (answer.status === 200) {
          if (performance.now() <= end) created++;
          if (pay && answer.code) payments.push(bench.mixpay.simulate(answer.code));
        } else if (answer.status !== 429) {
          throw new Error(`POST /v1/orders answered ${answer.status}`);
        }
      }
    }),
  );
  await Promise.all(payments);
  return created;
}

export async function budgetFigures(bench: Bench): Promise<void> {
  // The limiter allows MixPay's 60 calls in any 60 s window: the window that starts with the burst
  // holds the burst's 20 and 40 more, however the callers queue for them (issue 12 §6).
  const seconds = bench.pick(60, 6);
  for (const pay of bench.pick([false, true], [false])) {
    progress(`MixPay budget: burst of ${BURST}, then orders until ${seconds} s after it${pay ? ', each paid' : ''}`);
    const server = await startCompanion({ name: 'budget', databaseUrl: `sqlite:${join(bench.dir, `budget-${pay}.db`)}`, mixpay: bench.mixpay });
    try {
      const end = performance.now() + seconds * 1000;
      const { created, refused } = await burst(server);
      if (!pay) {
        bench.report({ figure: `burst of ${BURST} orders in one second: created (${refused} refused with 429)`, unit: 'orders', values: [created], ceiling: [BURST], ceilingLabel: 'all', target: `all ${BURST}` });
      }
      const total = created + (await createUntil(bench, server, end, pay));
      bench.report({
        figure: `orders created in the ${seconds} s from the burst, its ${BURST} included, ${CALLERS} callers, ${pay ? 'every order also paid' : 'unpaid'}`,
        unit: 'orders',
        values: [total],
        // Paid, the window's calls are shared with the orders' callback checks: a check the budget
        // cannot serve is answered as a failure, and MixPay calls again later.
        ceiling: [MIXPAY_PER_MINUTE],
        ceilingLabel: pay ? "MixPay's limit, shared with the callbacks' checks" : "MixPay's limit",
        target: pay ? '' : `${MIXPAY_PER_MINUTE} in any 60 s`,
      });
    } finally {
      await server.stop();
    }
  }
}
