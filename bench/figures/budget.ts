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

/** Orders created per minute by CALLERS back-to-back callers over `seconds`; `pay` pays each at once. */
async function sustained(bench: Bench, server: Companion, seconds: number, pay: boolean): Promise<number> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let created = 0;
  const payments: Array<Promise<void>> = [];
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < end) {
        const answer = await tryCreate(server);
        if (answer.status === 200) {
          created++;
          if (pay && answer.code) payments.push(bench.mixpay.simulate(answer.code));
        } else if (answer.status !== 429) {
          throw new Error(`POST /v1/orders answered ${answer.status}`);
        }
      }
    }),
  );
  // Over the time until the last caller's answer: a request sent just before the end may wait
  // for a budget token after it.
  const elapsedMinutes = (performance.now() - start) / 60_000;
  await Promise.all(payments);
  return created / elapsedMinutes;
}

export async function budgetFigures(bench: Bench): Promise<void> {
  const seconds = bench.pick(60, 6);
  const span = `${seconds} s after the burst`;
  for (const pay of bench.pick([false, true], [false])) {
    progress(`MixPay budget: burst of ${BURST}, then ${seconds} s of orders${pay ? ', each paid' : ''}`);
    const server = await startCompanion({ name: 'budget', databaseUrl: `sqlite:${join(bench.dir, `budget-${pay}.db`)}`, mixpay: bench.mixpay });
    try {
      const { created, refused } = await burst(server);
      if (!pay) {
        bench.report({ figure: `burst of ${BURST} orders in one second: created (${refused} refused with 429)`, unit: 'orders', values: [created], ceiling: [BURST], ceilingLabel: 'all', target: `all ${BURST}` });
      }
      const perMinute = await sustained(bench, server, seconds, pay);
      bench.report({
        figure: `orders a minute, ${CALLERS} callers, ${pay ? 'every order also paid' : 'unpaid'} (${span})`,
        unit: '/min',
        values: [perMinute],
        // A paid order spends three calls: its link and its two callbacks' checks. A check the
        // budget refuses is answered as a failure, and MixPay calls again later (outside the window).
        ceiling: [pay ? MIXPAY_PER_MINUTE / 3 : MIXPAY_PER_MINUTE],
        ceilingLabel: pay ? "MixPay's limit ÷ 3 calls" : "MixPay's limit",
        target: pay ? '' : `${MIXPAY_PER_MINUTE} /min`,
      });
    } finally {
      await server.stop();
    }
  }
}
