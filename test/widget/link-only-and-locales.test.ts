import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { FakeServer, SERVER } from './fake-server.ts';
import { button, clickAndWait, DESKTOP, dialog, dialogStatus, dialogText, PHONE, record, shadow } from './element-helpers.ts';

describe('link-only mode (no server)', () => {
  const PAYEE = 'a0d7791408776b47eb1dd3f94ed15d6a';
  const SETTLE = 'c6d0c728-2624-429b-8e0d-d9d19b6592fa';

  async function tipButton(attrs: Record<string, string> = {}): Promise<MixpayButton> {
    const el = await fixture<MixpayButton>(html`<mixpay-button payee-id=${PAYEE} quote-amount="5" quote-asset-id="usd"
      settlement-asset-id=${SETTLE} remark="tip"></mixpay-button>`);
    el.environment = DESKTOP;
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    await el.updateComplete;
    return el;
  }

  it('shows a QR code of the plain pay link of seed 002', async () => {
    const el = await tipButton();
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('svg[part~=qr]')), 'QR shown');
    const url = new URL(shadow(el).querySelector<HTMLInputElement>('input#link')!.value);
    expect(url.origin + url.pathname).to.equal('https://mixpay.me/pay');
    expect(url.searchParams.get('payeeId')).to.equal(PAYEE);
    expect(url.searchParams.get('quoteAmount')).to.equal('5');
    expect(url.searchParams.get('quoteAssetId')).to.equal('usd');
    expect(url.searchParams.get('settlementAssetId')).to.equal(SETTLE);
    expect(url.searchParams.get('remark')).to.equal('tip');
    expect(url.searchParams.get('traceId')).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(dialogStatus(el)).to.equal('Scan the code or open the link to pay');
    expect(dialogText(el)).to.contain('$5.00');
    expect(dialogText(el)).to.contain(PAYEE);
    await expect(el).to.be.accessible();
  });

  it('uses pay-base, and a phone goes straight to the link', async () => {
    const el = await tipButton({ 'pay-base': 'http://localhost:8787/sandbox/mixpay/pay' });
    el.environment = PHONE;
    const went: string[] = [];
    el.navigate = (url) => went.push(url);
    await clickAndWait(el, () => went.length > 0, 'navigated');
    expect(went[0]).to.match(/^http:\/\/localhost:8787\/sandbox\/mixpay\/pay\?payeeId=/);
  });

  it('refuses a pay-base outside the URL policy', async () => {
    const el = await tipButton({ 'pay-base': 'javascript:alert(1)//' });
    const errors = record(el, 'mixpay-error');
    button(el).click();
    await waitUntil(() => errors.length > 0, 'error fired');
    expect(errors[0]!.detail.code).to.equal('unsafe-url');
  });

  it('a malformed amount is a configuration error', async () => {
    const el = await tipButton({ 'quote-amount': '5,00' });
    const errors = record(el, 'mixpay-error');
    button(el).click();
    await waitUntil(() => errors.length > 0, 'error fired');
    expect(errors[0]!.detail.code).to.equal('config');
  });

  it('without server or payee-id it says what is missing', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button></mixpay-button>`);
    const errors = record(el, 'mixpay-error');
    button(el).click();
    await waitUntil(() => errors.length > 0, 'error fired');
    expect(errors[0]!.detail.code).to.equal('config');
    expect(errors[0]!.detail.message).to.contain('server');
  });
});

describe('languages', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  it('uses its own lang attribute: Japanese button, dialog and amounts', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button lang="ja" server=${SERVER} product="coffee"></mixpay-button>`);
    el.environment = DESKTOP;
    await waitUntil(() => button(el).textContent?.trim() === 'MixPayで支払う', 'Japanese label');
    await clickAndWait(el, () => dialogStatus(el) === 'お支払いをお待ちしています', 'Japanese status');
    expect(dialogText(el)).to.contain('$9.99');
    expect(dialog(el)!.getAttribute('lang')).to.equal('ja');
    await expect(el).to.be.accessible();
  });

  it('takes the nearest [lang] ancestor: Arabic, right to left', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div lang="ar"><mixpay-button server=${SERVER} product="coffee"></mixpay-button></div>`);
    const el = wrapper.querySelector('mixpay-button')!;
    el.environment = DESKTOP;
    await waitUntil(() => button(el).textContent?.trim() === 'ادفع عبر MixPay', 'Arabic label');
    await clickAndWait(el, () => dialogStatus(el) === 'في انتظار دفعتك', 'Arabic status');
    expect(dialog(el)!.getAttribute('dir')).to.equal('rtl');
    // In a left-to-right page, the Arabic label and status still read right to left; the link stays a URL.
    const direction = (node: Element) => getComputedStyle(node).direction;
    expect(direction(button(el))).to.equal('rtl');
    expect(direction(shadow(el).querySelector('.outer-status')!)).to.equal('rtl');
    expect(direction(shadow(el).querySelector('input#link')!)).to.equal('ltr');
    await expect(el).to.be.accessible();
  });

  it('follows a lang change', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button lang="de"></mixpay-button>`);
    await waitUntil(() => button(el).textContent?.trim() === 'Mit MixPay bezahlen', 'German label');
    el.lang = 'pt-BR';
    await waitUntil(() => button(el).textContent?.trim() === 'Pagar com MixPay', 'Portuguese label');
  });

  it('falls back to English for a page language it does not ship', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button lang="xx-YY"></mixpay-button>`);
    expect(button(el).textContent?.trim()).to.equal('Pay with MixPay');
  });

  it('a slotted label replaces the default one', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button>Buy now</mixpay-button>`);
    expect(el.textContent).to.equal('Buy now');
    await expect(el).to.be.accessible();
  });
});
