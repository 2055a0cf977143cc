// Coming back to a purchase (issue 9 §2): the element remembers the order it created and follows
// it instead of minting a second one; the order page (mode="page") shows its order in place.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { forgetOrder, purchaseKey } from '../../widget/remembered-order.ts';
import { FakeEventSource, FakeServer, SERVER } from './fake-server.ts';
import { button, clickAndWait, DESKTOP, outerStatus, productButton, record, shadow } from './element-helpers.ts';

describe('<mixpay-button>: coming back to a purchase', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  const checkouts = () => server.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/v1/checkout')).length;

  async function buyThenComeBack(): Promise<MixpayButton> {
    const first = await productButton();
    const orders = record(first, 'mixpay-order');
    await clickAndWait(first, () => Boolean(shadow(first).querySelector('svg[part~=qr]')), 'QR shown');
    expect(orders.map((e) => e.detail.orderId)).to.deep.equal([server.lastOrder.order_id]);
    first.remove(); // the page is left (Back, reload): a new element for the same product
    const again = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER + '/'} product="coffee" .environment=${DESKTOP}></mixpay-button>`);
    await waitUntil(() => outerStatus(again) === 'Waiting for your payment', 'the remembered order is shown', { timeout: 3000 });
    return again;
  }

  it('shows the remembered order without a click, and a click reopens it rather than buying again', async () => {
    const el = await buyThenComeBack();
    button(el).click();
    await waitUntil(() => Boolean(shadow(el).querySelector('dialog[open] svg[part~=qr]')), 'dialog with the same link');
    expect(checkouts()).to.equal(1);
    expect(el.order?.order_id).to.equal(server.lastOrder.order_id);
    await expect(el).to.be.accessible();
  });

  it('once paid, the button says so and opens the receipt; no new purchase by default', async () => {
    const el = await buyThenComeBack();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PAID', pay_amount: '9.99', pay_currency: 'USDT' }));
    await waitUntil(() => button(el).textContent?.trim() === 'Paid ✓', 'Paid ✓ on the button');
    button(el).click();
    await waitUntil(() => Boolean(shadow(el).querySelector('dialog[open] [data-phase=paid]')), 'receipt shown');
    const receipt = shadow(el).querySelector('dialog')!.textContent!;
    expect(receipt).to.contain('Amount paid').and.to.contain('9.99 USDT').and.to.contain(server.lastOrder.order_id);
    expect(checkouts()).to.equal(1);
  });

  it('restored from the back-forward cache, asks for the status again at once', async () => {
    const el = await buyThenComeBack();
    const streams = FakeEventSource.instances.length;
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => FakeEventSource.instances.length === streams + 1, 'status asked again');
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: false })); // a plain load: nothing
    expect(FakeEventSource.instances.length).to.equal(streams + 1);
    expect(el.order?.order_id).to.equal(server.lastOrder.order_id);
  });

  it('closes its stream when the page is left (pagehide) and opens a new one when it is shown again', async () => {
    const el = await buyThenComeBack();
    await waitUntil(() => FakeEventSource.instances.length > 0 && !FakeEventSource.last.closed, 'a stream open');
    const open = FakeEventSource.last;
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
    expect(open.closed, 'no stream kept open in the back/forward cache').to.equal(true);
    window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    await waitUntil(() => FakeEventSource.last !== open && !FakeEventSource.last.closed, 'a new stream after the restore');
    expect(FakeEventSource.last.url).to.equal(open.url);
    expect(el.order?.order_id).to.equal(server.lastOrder.order_id);
  });

  it('with storage blocked, remembers in memory', async () => {
    const { getItem, setItem } = Storage.prototype;
    Storage.prototype.getItem = () => {
      throw new DOMException('blocked', 'SecurityError');
    };
    Storage.prototype.setItem = Storage.prototype.getItem;
    try {
      await buyThenComeBack();
      expect(checkouts()).to.equal(1);
    } finally {
      Object.assign(Storage.prototype, { getItem, setItem });
      forgetOrder(purchaseKey(SERVER + '/', 'coffee', '')); // the memory outlives the test
    }
  });

  it('in an in-app browser the dialog offers to copy the amount as well as the link', async () => {
    const el = await productButton({ form: 'phone', walletScheme: null, inAppBrowser: 'wechat' });
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('dialog svg')), 'QR shown');
    expect(shadow(el).querySelector('.copy-amount')!.textContent).to.equal('Copy amount');
    expect(shadow(el).querySelector('dialog')!.textContent).to.contain('Open this page in your browser');
    let copied = '';
    const original = Object.getOwnPropertyDescriptor(Navigator.prototype, 'clipboard');
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText: async (text: string) => void (copied = text) } });
    try {
      shadow(el).querySelector<HTMLButtonElement>('.copy-amount')!.click();
      await waitUntil(() => shadow(el).querySelector('.copy-amount')?.textContent === 'Copied', 'copied shown');
      expect(copied).to.equal('9.99');
    } finally {
      delete (navigator as { clipboard?: unknown }).clipboard;
      if (original) Object.defineProperty(Navigator.prototype, 'clipboard', original);
    }
    await expect(el).to.be.accessible();
  });

  for (const [theme, lang] of [['dark', 'en'], ['light', 'ar']] as const) {
    it(`mode="page" is accessible in ${theme} ${lang}`, async () => {
      const order = server.addOrder('PAID');
      const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} order=${order.order_id} mode="page" theme=${theme} lang=${lang} .environment=${DESKTOP}></mixpay-button>`);
      await waitUntil(() => Boolean(shadow(el).querySelector('[part~=dialog] [data-phase=paid]')), 'receipt shown');
      expect(shadow(el).querySelector('[part~=dialog]')!.getAttribute('dir')).to.equal(lang === 'ar' ? 'rtl' : 'ltr');
      await expect(el).to.be.accessible();
    });
  }

  it('mode="page" shows the order in place: no pay button, no close button', async () => {
    const order = server.addOrder('UNRESOLVED');
    server.update(order.order_id, { pay_amount: '5', pay_currency: 'USDT', amount_due: '4.99' });
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} order=${order.order_id} mode="page" .environment=${DESKTOP}></mixpay-button>`);
    await waitUntil(() => Boolean(shadow(el).querySelector('[part~=dialog] [data-phase=paidLess]')), 'paid less shown');
    expect(shadow(el).querySelector('button[part~=button]')).to.equal(null);
    expect(shadow(el).querySelector('.close')).to.equal(null);
    expect(shadow(el).querySelector('[part~=amount]')!.textContent).to.equal('4.99 USDT');
    expect(shadow(el).textContent).to.contain('Paid so far').and.to.contain('Pay the rest');
    await expect(el).to.be.accessible();
  });

  it('a short expiry: the dialog is expired within a second of 0:00, with no QR code or link, and offers a new checkout', async () => {
    server.expiresIn = 1500;
    const el = await productButton();
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('dialog svg[part~=qr]')), 'QR shown');
    const deadline = server.lastOrder.expires_at_t;
    await waitUntil(() => Boolean(shadow(el).querySelector('dialog [data-phase=expired]')), 'expired shown', { timeout: 3000 });
    expect(Date.now() - deadline).to.be.below(1000);
    expect(shadow(el).querySelector('dialog svg[part~=qr]')).to.equal(null);
    expect(shadow(el).querySelector('dialog [part~=link]')).to.equal(null);
    expect([...shadow(el).querySelectorAll('dialog button')].map((b) => b.textContent?.trim())).to.include('Start a new checkout');
  });
});
