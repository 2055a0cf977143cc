/**
 * The admin page end to end in headless Chromium, over the whole stack: an operator signs in
 * (a wrong key is refused), finds a paid order by its merchant_order_id, reads its timeline (the
 * payment and the failed notification attempt), resends the notification and sees the new
 * attempt arrive. Every view is axe-clean and breaks no CSP rule; a change without the CSRF token
 * is refused even from the signed-in page; a reload keeps the session and shows broker mode.
 * Screenshots of a desktop and a phone go to /tmp.
 */
import { after, before, describe, test } from 'node:test';

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { BrowserContext, Page } from 'playwright-core';
import { listen, type Listening } from '../support/http.ts';

import { eventually } from '../support/stack.ts';

import { devServerPerSuite, watchPage } from '../support/dev-server.ts';


const API_KEY = 'e2e-merchant-key';
const ADMIN_KEY = 'e2e-admin-key-0123456789';
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

describe('admin page end to end in Chromium', () => {
  const world = devServerPerSuite('admin', { MERCHANT_API_KEY: API_KEY, ADMIN_API_KEY: ADMIN_KEY, NOTIFY_INTERVAL_MS: '200' }, ['dist/admin/admin.js']);
  let merchant: Listening;
  let merchantStatus = 500;
  let orderId: string;
  const merchantOrderId = `shop-${Date.now()}`;

  before(async () => {
    merchant = await listen(() => new Response(merchantStatus === 200 ? 'ok' : 'down for maintenance', { status: merchantStatus }));

    // A paid order whose notification the merchant refused once.
    const created = await fetch(`${world.server.url}/v1/orders`, {
      method: 'POST',
      headers: { token: API_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ merchant_order_id: merchantOrderId, price_amount: '12.34', price_currency: 'USD', title: 'Blue mug', callback_url: `${merchant.url}/hooks/mixpay` }),
    });
    assert.equal(created.status, 200, "MugglePay answers HTTP 200 with \"status\": 201 in the body");
    const body = (await created.json()) as any;
    orderId = body.order.order_id;
    const code = body.links.checkout_url.split('/code/')[1];
    const paid = await fetch(`${world.server.url}/sandbox/mixpay/payments/${code}/simulate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'success' }) });
    assert.equal(paid.status, 200);
    await eventually(
      async () => (await world.server.deps.store.db.selectFrom('notification_attempts').select('id').execute()).length >= 1,
      8000,
      'the first, refused notification attempt',
    );
  });

  after(async () => {
    await merchant?.close();
  });

  const watch = watchPage;

  /** axe-core's findings on the page as it is now (evaluated by the browser's debugger, not as a page script). */
  async function axeViolations(page: Page): Promise<string[]> {
    await page.evaluate(AXE);
    const results = await page.evaluate(async () => (window as any).axe.run(document, { resultTypes: ['violations'] }));
    return (results.violations as any[]).map((v) => `${v.id}: ${v.help} (${v.nodes.map((n: any) => n.target.join(' ')).join(', ')})`);
  }

  async function signIn(page: Page, key: string) {
    await page.getByLabel('Your name').fill('Grace');
    await page.getByLabel('Admin key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  for (const [device, options] of [
    ['desktop', { viewport: { width: 1280, height: 900 } }],
    ['phone', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }],
  ] as const) {
    test(`${device}: sign in, find the paid order, read its timeline, resend and see the new attempt`, async (t) => {
      const context: BrowserContext = await world.browser.newContext(options);
      try {
        const page = await context.newPage();
        const problems = await watch(page);
        const response = await page.goto(`${world.server.url}/admin`);
        assert.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'(;|$)/);
        await page.getByRole('heading', { name: 'Sign in to the admin page' }).waitFor();
        assert.deepEqual(await axeViolations(page), [], 'sign-in form is axe-clean');

        await signIn(page, 'not-the-admin-key-000');
        await page.getByRole('alert').filter({ hasText: /wrong admin key/i }).waitFor();
        await signIn(page, ADMIN_KEY);
        await page.getByRole('heading', { name: 'Orders' }).waitFor();

        await page.getByLabel(/Search by order id/).fill(merchantOrderId);
        await page.getByRole('button', { name: 'Search' }).click();
        const link = page.locator(`a[href="#/orders/${orderId}"]`);
        await link.waitFor();
        assert.equal(await page.locator('tbody tr').count(), 1, 'exactly the order searched for');
        assert.deepEqual(await axeViolations(page), [], 'order list is axe-clean');
        await page.screenshot({ path: `/tmp/admin-orders-${device}.png`, fullPage: true });
        await link.click();

        const timeline = page.locator('ol.timeline');
        await timeline.waitFor();
        const story = await timeline.innerText();
        assert.match(story, /Order created/);
        assert.match(story, /NEW → PAID/);
        assert.match(story, /callback/);
        assert.match(story, /Notification PAID attempt 1 \(schedule\):\s*500 rejected/);

        const before = await page.locator('tr[data-attempt]').count();
        merchantStatus = 200;
        await page.getByRole('button', { name: /^Resend notification PAID/ }).click();
        await page.getByRole('status').filter({ hasText: /queued/ }).waitFor();
        const newAttempt = page.locator(`tr[data-attempt="${before + 1}"]`);
        await newAttempt.waitFor({ timeout: 8000 });
        const row = await newAttempt.innerText();
        assert.match(row, /manual/);
        assert.match(row, /200/);
        assert.match(row, /delivered/);
        assert.match(await timeline.innerText(), new RegExp(`attempt ${before + 1} \\(manual\\):\\s*200 delivered`));
        assert.deepEqual(await axeViolations(page), [], 'order page is axe-clean');
        await page.screenshot({ path: `/tmp/admin-order-${device}.png`, fullPage: true });
        merchantStatus = 500;

        // The signed-in page itself cannot change anything without the CSRF token.
        const withoutToken = await page.evaluate(async (id) => {
          const answer = await fetch(`/admin/api/orders/${id}/refunded`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'forged' }) });
          return { status: answer.status, body: await answer.json() };
        }, orderId);
        assert.equal(withoutToken.status, 403);
        assert.equal(withoutToken.body.error_code, 'CSRF_TOKEN_INVALID');

        await page.getByRole('link', { name: 'Notifications' }).click();
        await page.getByRole('heading', { name: 'Endpoints' }).waitFor();
        await page.getByText(`${merchant.url}/hooks/mixpay`).first().waitFor();
        assert.deepEqual(await axeViolations(page), [], 'notifications view is axe-clean');
        await page.screenshot({ path: `/tmp/admin-notifications-${device}.png`, fullPage: true });

        // Broker mode (on in development): a reload keeps the session; balances against reservations.
        await page.goto(`${world.server.url}/admin#/broker`);
        await page.getByRole('heading', { name: 'Balances' }).waitFor();
        await page.getByRole('link', { name: 'Broker' }).waitFor();
        assert.ok((await page.locator('mixpay-admin-broker tbody tr').count()) >= 1, 'the bot has balances');
        assert.deepEqual(await axeViolations(page), [], 'broker view is axe-clean');
        await page.screenshot({ path: `/tmp/admin-broker-${device}.png`, fullPage: true });

        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in to the admin page' }).waitFor();
        const violations = await page.evaluate(() => (window as any).__cspViolations ?? []);
        assert.deepEqual([...problems, ...violations], [], 'no CSP violations or page errors');
        t.diagnostic(`${device}: screenshots in /tmp/admin-*-${device}.png`);
      } finally {
        await context.close();
      }
    });
  }
});
