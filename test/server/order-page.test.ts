/**
 * The hosted order page (issue 9 §1): `/pay/{id}` is a small HTML shell around the element in
 * page mode, localized from ?lang= and Accept-Language, under a strict CSP with no inline script;
 * an unknown order gets a styled 404.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createSqliteStore } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { createOrder } from '../support/merchant.ts';
import { pageLocale } from '../../server/merchant/order-page.ts';

describe('hosted order page', () => {
  const suite = stackPerSuite({ name: 'sqlite', create: createSqliteStore });

  test('a shell around <mixpay-button mode="page"> for the order, with a viewport and a strict CSP', async () => {
    const created = await createOrder(suite.stack, { title: 'Tea <b>& cups</b>', success_url: 'https://merchant.example/thanks?a=1&b=2' });
    const id = created.order.order_id;
    const page = await fetch(`${suite.stack.url}/pay/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    const body = await page.text();
    assert.match(body, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(body, /<script type="module" src="\/widget\/mixpay-button.js"><\/script>/);
    assert.doesNotMatch(body, /<script>|<script [^>]*>[^<]/, 'no inline script');
    assert.match(body, new RegExp(`<mixpay-button server="${suite.stack.url}" order="${id}" product="" mode="page" lang="en">`));
    // Data is escaped, never markup.
    assert.match(body, /Tea &lt;b&gt;&amp; cups&lt;\/b&gt;/);
    assert.match(body, /href="https:\/\/merchant.example\/thanks\?a=1&amp;b=2">Back to the shop</);
    // The one inline style is the one the CSP's hash allows.
    const style = /<style>([\s\S]*?)<\/style>/.exec(body)![1]!;
    assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`));
  });

  test('speaks ?lang= first, then Accept-Language, right to left in Arabic', async () => {
    const created = await createOrder(suite.stack);
    const id = created.order.order_id;
    const arabic = await (await fetch(`${suite.stack.url}/pay/${id}`, { headers: { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' } })).text();
    assert.match(arabic, /<html lang="ar" dir="rtl">/);
    assert.match(arabic, /lang="ar"><\/mixpay-button>/);
    const german = await (await fetch(`${suite.stack.url}/pay/${id}?lang=de`, { headers: { 'accept-language': 'ar' } })).text();
    assert.match(german, /<html lang="de" dir="ltr">/);
    assert.equal(pageLocale(undefined, 'xx, zh-Hant-TW;q=0.8'), 'zh-TW');
    assert.equal(pageLocale('klingon', undefined), 'en');
  });

  test('a catalog order names its product, so the page can offer "start again"', async () => {
    const checkout = await fetch(`${suite.stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product: 'tee' }) });
    const id = ((await checkout.json()) as any).order.order_id;
    const body = await (await fetch(`${suite.stack.url}/pay/${id}`)).text();
    assert.match(body, /product="tee" mode="page"/);
  });

  test('an unknown or malformed order is a styled 404 in the customer\'s language', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id', '%3Cscript%3E']) {
      const page = await fetch(`${suite.stack.url}/pay/${id}?lang=fr`);
      assert.equal(page.status, 404, id);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const body = await page.text();
      assert.match(body, /<html lang="fr" dir="ltr">/);
      assert.match(body, /Commande introuvable/);
      assert.doesNotMatch(body, /<script>/);
    }
  });
});
