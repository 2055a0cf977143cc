/**
 * The customer's journey on a phone (issue 9): buy → MixPay's pay page → pay → back on the hosted
 * order page, which shows the receipt; Back in the shop shows "paid" for that very order, and the
 * shop holds one order for the purchase. Paying less shows what is still due and "pay the rest".
 * A checkout the server refuses (429 with Retry-After) is "busy", retried once, after the wait.
 */
import { describe, test } from 'node:test';

import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from '../support/browser.ts';
import { eventually } from '../support/stack.ts';

import { devServerPerSuite } from '../support/dev-server.ts';


const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

describe('the customer journey on a phone', () => {
  const world = devServerPerSuite('journey', {}, ['dist/mixpay-button.js']);

  const phone = (): Promise<BrowserContext> =>
    world.browser.newContext({ viewport: { width: 390, height: 844 }, userAgent: IPHONE, isMobile: true, hasTouch: true });

  async function ordersFor(product: string, since: number) {
    return world.server.deps.store.db.selectFrom('orders').selectAll().where('product_id', '=', product).where('created_at', '>=', since).execute();
  }

  /** The text of the element on the order page (its shadow root), whitespace folded. */
  const pageText = (page: Page) => page.locator('mixpay-button [part~=dialog]').innerText().then((t) => t.replace(/\s+/g, ' '));

  /** Buys `product` on the shop: the element sends the phone to the pay page. */
  async function buy(page: Page, product: string) {
    await page.goto(`${world.server.url}/`);
    await page.locator(`mixpay-button[product="${product}"] button`).first().click();
    await page.waitForURL(/\/sandbox\/mixpay\/code\//, { timeout: 5000 });
    const code = new URL(page.url()).pathname.split('/').pop()!;
    return eventually(async () => world.server.deps.store.db.selectFrom('orders').selectAll().where('mixpay_code', '=', code).executeTakeFirst(), 10_000, 'the order');
  }

  test('pay in full → return → the order page shows the receipt; Back → the shop shows paid; one order', async (t) => {
    const since = Date.now();
    const context = await phone();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const order = await buy(page, 'tee');
    await page.getByRole('button', { name: /pay in full/i }).click();
    const returnLink = page.locator('a.return');
    await returnLink.waitFor({ timeout: 5000 });
    const returnedAt = Date.now();
    await returnLink.click();
    await page.waitForURL(new RegExp(`/pay/${order.id}$`), { timeout: 5000 });
    await page.locator('mixpay-button [data-phase=paid]').waitFor({ timeout: 10_000 });
    t.diagnostic(`receipt shown ${Date.now() - returnedAt} ms after "Return to merchant"`);
    const receipt = await pageText(page);
    for (const part of ['Paid. Thank you!', 'MixPay T-shirt', '$19.99', order.id, 'Amount paid', 'Back to the shop']) {
      assert.ok(receipt.includes(part) || (await page.content()).includes(part), `receipt shows ${part}: ${receipt}`);
    }
    assert.equal(await page.locator('a.back, .back a').count(), 1, 'a way back to the shop');
    // The way back is the page the checkout started from (the element sent it as return_to).
    assert.equal(await page.locator('.back a').getAttribute('href'), `${world.server.url}/`);
    assert.equal((await world.server.deps.store.db.selectFrom('orders').select('return_to').where('id', '=', order.id).executeTakeFirstOrThrow()).return_to, `${world.server.url}/`);
    // The receipt links the payment's transaction to its block explorer page.
    const tx = page.locator('mixpay-button a[part~=transaction]');
    assert.match((await tx.getAttribute('href')) ?? '', /^https:\/\/viewblock\.io\/mixin\/tx\/\S+$/);
    assert.equal(await tx.getAttribute('rel'), 'noopener noreferrer');

    // Back to the shop: the element remembers the order and shows it paid, no second order.
    for (let i = 0; i < 6 && new URL(page.url()).pathname !== '/'; i++) await page.goBack();
    assert.equal(new URL(page.url()).pathname, '/');
    const shopButton = page.locator('mixpay-button[product="tee"] button[part~=button]');
    await eventually(async () => /Paid ✓/.test(await shopButton.innerText()), 10_000, 'the shop button says paid');
    await shopButton.click();
    await page.locator('mixpay-button[product="tee"] dialog[open] [data-phase=paid]').waitFor({ timeout: 10_000 });
    const orders = await ordersFor('tee', since);
    assert.equal(orders.length, 1, 'exactly one order for the purchase');
    assert.equal(orders[0]!.status, 'PAID');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('reload and a second tab during waiting resume the same order; pay less → still due and "pay the rest" → paid', async () => {
    const since = Date.now();
    const context = await phone();
    const page = await context.newPage();
    const order = await buy(page, 'stickers');
    // Back before paying: the shop shows the order waiting, and a click offers its link, not a new order.
    await page.goBack();
    await page.reload();
    const element = page.locator('mixpay-button[product="stickers"]');
    await eventually(async () => /Waiting for your payment/.test(await element.locator('.outer-status').innerText()), 10_000, 'waiting shown after reload');
    assert.equal((await ordersFor('stickers', since)).length, 1);
    // A second tab opened from this one (sessionStorage is copied into it) follows the same order.
    const [second] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => void window.open(location.href))]);
    const secondElement = second.locator('mixpay-button[product="stickers"]');
    await eventually(async () => /Waiting for your payment/.test(await secondElement.locator('.outer-status').innerText()), 10_000, 'waiting shown in a second tab');
    await second.close();
    assert.equal((await ordersFor('stickers', since)).length, 1);

    await page.goto(`${world.server.url}/sandbox/mixpay/code/${order.mixpay_code}`);
    await page.getByRole('button', { name: /^pay less$/i }).click();
    await eventually(async () => (await world.server.deps.store.db.selectFrom('orders').select('status').where('id', '=', order.id).executeTakeFirst())?.status === 'UNRESOLVED', 5000, 'UNRESOLVED');
    await page.goto(`${world.server.url}/pay/${order.id}`);
    await page.locator('mixpay-button [data-phase=paidLess]').waitFor({ timeout: 10_000 });
    const text = await pageText(page);
    assert.match(text, /Still due/);
    assert.match(text, /Paid so far/);
    const rest = page.getByRole('link', { name: 'Pay the rest' });
    assert.equal(await rest.getAttribute('href'), order.universal_url ?? order.checkout_url, 'the same one-time link (seed 001)');
    await rest.click();
    await page.getByRole('button', { name: /pay in full/i }).click();
    await page.locator('a.return').click();
    await page.locator('mixpay-button [data-phase=paid]').waitFor({ timeout: 10_000 });
    assert.equal((await ordersFor('stickers', since)).length, 1);
    await context.close();
  });

  test('bfcache: Back from another page restores the shop itself (pageshow persisted), following the same order live', async (t) => {
    const since = Date.now();
    // playwright-core turns the back/forward cache off by default (--disable-back-forward-cache): this browser keeps it.
    const cachingBrowser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, ignoreDefaultArgs: ['--disable-back-forward-cache'] });
    t.after(() => cachingBrowser.close());
    const context = await cachingBrowser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Every pageshow of every document in this tab, in order: a bfcache restore adds `true` to the same list.
    await page.addInitScript(() => {
      const w = window as unknown as { shows?: boolean[] };
      w.shows = [];
      addEventListener('pageshow', (event) => w.shows!.push(event.persisted));
    });
    await page.goto(`${world.server.url}/`);
    const element = page.locator('mixpay-button[product="tee"]');
    await element.locator('button').first().click();
    await element.locator('dialog[open] [data-phase=awaiting]').waitFor({ timeout: 5000 });
    const [order] = await ordersFor('tee', since);
    assert.ok(order?.mixpay_code, 'an order with its link');

    await eventually(async () => world.server.deps.feed.size === 1, 10_000, 'the element follows the order over SSE');
    await page.goto(`${world.server.url}/sandbox/mixpay`);
    // Left, the page keeps no stream open while it sits in the cache.
    await eventually(async () => world.server.deps.feed.size === 0, 10_000, 'the stream closed when the page was left');
    // A restored page fires no load event: wait for the navigation to commit, then for its pageshow.
    await page.goBack({ waitUntil: 'commit' });
    assert.equal(new URL(page.url()).pathname, '/');
    await page.waitForFunction(() => document.readyState === 'complete' && (window as unknown as { shows?: boolean[] }).shows!.length > 0, null, { timeout: 5000 });
    const restore = await page.evaluate(() => ({
      shows: (window as unknown as { shows: boolean[] }).shows,
      reasons: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming & { notRestoredReasons?: unknown }).notRestoredReasons ?? null,
    }));
    t.diagnostic(`pageshow persisted: ${JSON.stringify(restore.shows)}; notRestoredReasons: ${JSON.stringify(restore.reasons)}`);
    assert.deepEqual(restore.shows, [false, true], `a real bfcache restore (not restored because: ${JSON.stringify(restore.reasons)})`);

    // The restored page follows the order again: the payment made meanwhile shows as it happens.
    const paid = await fetch(`${world.server.url}/sandbox/mixpay/payments/${order.mixpay_code}/simulate`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'success' }),
    });
    assert.equal(paid.status, 200);
    await element.locator('dialog[open] [data-phase=paid]').waitFor({ timeout: 10_000 });
    // The server counts the stream gone once its end is written, which may trail the page's render.
    await eventually(async () => world.server.deps.feed.size === 0, 10_000, 'the stream to end with the final status');
    assert.equal((await ordersFor('tee', since)).length, 1, 'one order for the purchase');
    await context.close();
  });

  test('429 with Retry-After: 5 → "busy" with a countdown, one retry after ≥ 5 s, then the dialog', { timeout: 20_000 }, async () => {
    const context = await world.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const checkouts: number[] = [];
    await page.route('**/v1/checkout', async (route) => {
      checkouts.push(Date.now());
      if (checkouts.length === 1) {
        await route.fulfill({ status: 429, headers: { 'retry-after': '5', 'content-type': 'application/json' }, body: JSON.stringify({ status: 429, error_code: 'TOO_MANY_REQUESTS', error: 'busy' }) });
      } else await route.continue();
    });
    await page.goto(`${world.server.url}/`);
    await page.locator('mixpay-button[product="tee"] button').first().click();
    const status = page.locator('mixpay-button[product="tee"] dialog[open] [part~=status]');
    await eventually(async () => /Many payments right now\. Trying again in 0:0[45]/.test(await status.innerText()), 3000, 'busy shown');
    assert.doesNotMatch(await status.innerText(), /Cannot reach/);
    await page.locator('mixpay-button[product="tee"] dialog[open] svg').first().waitFor({ timeout: 9000 });
    assert.equal(checkouts.length, 2, 'one retry');
    assert.ok(checkouts[1]! - checkouts[0]! >= 5000, `retried after ${checkouts[1]! - checkouts[0]!} ms`);
    await context.close();
  });
});
