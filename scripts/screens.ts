/**
 * `npm run screens`: pictures of every state the customer can see (issue 9 §7), for docs/widget.md.
 * Starts the whole stack (server, sandbox, demo shop, built element) on a free port over a
 * throw-away SQLite file, drives Debian's Chromium through the states (the sandbox pays, pays
 * less, fails...), and writes PNGs under docs/screens/: the dialog on a desktop, the hosted order
 * page on a phone, in light and dark, in English and (a subset) in Arabic. Pending shows its
 * confirmations ("n of m") and the receipt its transaction link. Run `npm run build`
 * first; regenerate whenever the look changes.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { configFor, startServer, type RunningServer } from '../server/main.ts';
import { launchChromium } from '../test/support/browser.ts';
import { freePort } from '../test/support/ports.ts';

const OUT = 'docs/screens';
const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
type Theme = 'light' | 'dark';

const dir = mkdtempSync(join(tmpdir(), 'mixpay-screens-'));
const port = await freePort();
const { config } = configFor('dev', { PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'screens.db')}`, SANDBOX_TIME_SCALE: '0.001', CHECKOUT_PER_MINUTE: '1000' });
const server: RunningServer = await startServer(config, { quiet: true });
const browser: Browser = await launchChromium();
mkdirSync(OUT, { recursive: true });
const written: string[] = [];
/** One order per state, shown in every theme and language. */
const made = new Map<string, string>();

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(150); // let the last render and the fonts settle
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path });
  written.push(path);
}

/** A catalog checkout made through the public API, moved by the sandbox to `outcome`. */
async function orderIn(outcome: string | null, extra: Record<string, string> = {}): Promise<string> {
  const key = `${outcome} ${JSON.stringify(extra)}`;
  const known = made.get(key);
  if (known) return known;
  let answer: Response;
  // The server keeps to MixPay's 60 calls a minute: wait when it says so.
  for (;;) {
    answer = await fetch(`${server.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product: 'tee' }) });
    if (answer.status !== 429 && answer.status !== 503) break;
    await new Promise((resolve) => setTimeout(resolve, Number(answer.headers.get('retry-after') ?? 5) * 1000));
  }
  const body = (await answer.json()) as { order?: { order_id: string } };
  if (!body.order) throw new Error(`checkout refused: ${answer.status} ${JSON.stringify(body)}`);
  const { order } = body as { order: { order_id: string } };
  if (outcome) await simulate(order.order_id, outcome, extra);
  made.set(key, order.order_id);
  return order.order_id;
}

async function simulate(orderId: string, outcome: string, extra: Record<string, string> = {}): Promise<void> {
  const row = await server.deps.store.db.selectFrom('orders').select(['mixpay_code', 'status']).where('id', '=', orderId).executeTakeFirstOrThrow();
  const before = row.status;
  await fetch(`${server.url}/sandbox/mixpay/payments/${row.mixpay_code}/simulate`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome, ...extra }),
  });
  for (let i = 0; i < 100; i++) {
    const now = await server.deps.store.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirstOrThrow();
    if (now.status !== before) return;
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

/** One more confirmation on a pending payment (no status change, so nothing to wait for here). */
async function confirmOnce(orderId: string): Promise<void> {
  const row = await server.deps.store.db.selectFrom('orders').select('mixpay_code').where('id', '=', orderId).executeTakeFirstOrThrow();
  const answer = await fetch(`${server.url}/sandbox/mixpay/payments/${row.mixpay_code}/simulate`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'confirm' }),
  });
  if (!answer.ok) throw new Error(`confirm refused: ${answer.status} ${await answer.text()}`);
}

function context(kind: 'desktop' | 'phone', theme: Theme): Promise<BrowserContext> {
  return kind === 'desktop'
    ? browser.newContext({ viewport: { width: 1024, height: 860 }, colorScheme: theme })
    : browser.newContext({ viewport: { width: 390, height: 780 }, colorScheme: theme, userAgent: IPHONE, isMobile: true, hasTouch: true });
}

/** The dialog on the demo shop, desktop: waiting (QR code), paid, paid less, expired at 0:00, busy. */
async function dialogStates(theme: Theme, lang: 'en' | 'ar'): Promise<void> {
  const ctx = await context('desktop', theme);
  const page = await ctx.newPage();
  let refuse = false;
  await page.route('**/v1/checkout', (route) =>
    refuse
      ? route.fulfill({ status: 429, headers: { 'retry-after': '45', 'content-type': 'application/json' }, body: '{"status":429,"error_code":"BUSY","error":"busy"}' })
      : route.continue());
  const suffix = `${theme}-${lang}`;
  const open = async (phase: string) => {
    // Forget the last order on a page without an element: the shop's own element could remember
    // it again (a status arriving) between a clear and a reload.
    await page.goto(`${server.url}/sandbox/mixpay`);
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(`${server.url}/`);
    if (lang === 'ar') await page.locator('mixpay-button[product="tee"]').evaluate((el) => el.setAttribute('lang', 'ar'));
    await page.locator('mixpay-button[product="tee"] button').first().click();
    await page.locator(`mixpay-button[product="tee"] dialog[open] [data-phase=${phase}]`).waitFor({ timeout: 10_000 }).catch(async (error: Error) => {
      // Say what the dialog shows instead: a wrong state is easier to fix than a timeout.
      const shown = await page.locator('mixpay-button[product="tee"] [part~=status]').allInnerTexts();
      throw new Error(`${suffix}: no ${phase} dialog; the element shows ${JSON.stringify(shown)} (${error.message.split('\n')[0]})`);
    });
  };
  const latest = async () =>
    (await server.deps.store.db.selectFrom('orders').select('id').orderBy('created_at', 'desc').executeTakeFirstOrThrow()).id;
  const phase = (name: string) => page.locator(`mixpay-button[product="tee"] dialog[open] [data-phase=${name}]`).waitFor({ timeout: 10_000 });

  await open('awaiting');
  await page.locator('mixpay-button[product="tee"] dialog[open] svg').first().waitFor();
  await shoot(page, `desktop-waiting-${suffix}`);
  if (theme === 'light') {
    // Pending, one block confirmed after the first: "2 of 3 confirmations".
    await simulate(await latest(), 'pending');
    await phase('pending');
    await confirmOnce(await latest());
    await page.locator('mixpay-button[product="tee"] dialog[open] .muted', { hasText: new RegExp(`${(2).toLocaleString(lang)}.*${(3).toLocaleString(lang)}`) }).last().waitFor({ timeout: 10_000 });
    await shoot(page, `desktop-pending-${suffix}`);
  }
  await simulate(await latest(), 'success');
  await phase('paid');
  await shoot(page, `desktop-paid-${suffix}`);
  if (lang === 'en') {
    await open('awaiting');
    await simulate(await latest(), 'paid_less', { paymentAmount: '9.99' });
    await phase('paidLess');
    await shoot(page, `desktop-paid-less-${suffix}`);
    // Expiry in the customer's time: the clock is moved past the order's expiry.
    await open('awaiting');
    await page.clock.install({ time: Date.now() });
    await page.clock.fastForward('15:05');
    await phase('expired');
    await shoot(page, `desktop-expired-${suffix}`);
    refuse = true;
    await open('busy');
    await shoot(page, `desktop-busy-${suffix}`);
    refuse = false;
  }
  await ctx.close();
}

/** The hosted order page on a phone, one order per state. */
async function orderPageStates(theme: Theme, lang: 'en' | 'ar', states: string[]): Promise<void> {
  const ctx = await context('phone', theme);
  const page = await ctx.newPage();
  const suffix = `${theme}-${lang}`;
  const visit = async (id: string, phase: string | null, name: string) => {
    await page.goto(`${server.url}/pay/${id}?lang=${lang}`);
    if (phase) await page.locator(`mixpay-button [data-phase=${phase}]`).waitFor({ timeout: 10_000 });
    await shoot(page, `phone-${name}-${suffix}`);
  };
  for (const state of states) {
    if (state === 'waiting') await visit(await orderIn(null), 'awaiting', 'waiting');
    if (state === 'pending') await visit(await orderIn('pending'), 'pending', 'pending');
    if (state === 'paid') await visit(await orderIn('success'), 'paid', 'receipt');
    if (state === 'paid-less') await visit(await orderIn('paid_less', { paymentAmount: '9.99' }), 'paidLess', 'paid-less');
    if (state === 'failed') await visit(await orderIn('fail'), 'failed', 'failed');
    if (state === 'expired') await visit(await orderIn('expire'), 'expired', 'expired');
    if (state === 'not-found') await visit('00000000-0000-4000-8000-000000000000', null, 'not-found');
  }
  await ctx.close();
}

try {
  const all = ['waiting', 'pending', 'paid', 'paid-less', 'failed', 'expired', 'not-found'];
  await dialogStates('light', 'en');
  await dialogStates('dark', 'en');
  await dialogStates('light', 'ar');
  await orderPageStates('light', 'en', all);
  await orderPageStates('dark', 'en', ['waiting', 'paid', 'paid-less']);
  await orderPageStates('light', 'ar', ['waiting', 'pending', 'paid', 'paid-less']);
  const total = written.reduce((sum, path) => sum + statSync(path).size, 0);
  console.log(`screens: ${written.length} PNGs in ${OUT}/, ${(total / 1024).toFixed(0)} KB`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
