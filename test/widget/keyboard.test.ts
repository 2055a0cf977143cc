import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { FakeEventSource, FakeServer, SERVER } from './fake-server.ts';
import { button, DESKTOP, dialog, record, shadow } from './element-helpers.ts';

/** What has the keyboard focus, as a short name ("pay", "close", "link", "copy-field", "copy", "before", "after", "page"). */
function focused(el: MixpayButton): string {
  const active = document.activeElement;
  if (active?.id === 'before' || active?.id === 'after') return active.id;
  if (active !== el) return 'page';
  const inner = shadow(el).activeElement;
  if (!inner) return 'host';
  if (inner.matches('.pay')) return 'pay';
  if (inner.matches('.close')) return 'close';
  if (inner.matches('a[part~=link]')) return 'link';
  if (inner.matches('input#link')) return 'copy-field';
  if (inner.matches('.copy button')) return 'copy';
  return inner.tagName.toLowerCase();
}

describe('<mixpay-button> with the keyboard alone', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  async function page(): Promise<MixpayButton> {
    const wrapper = await fixture<HTMLDivElement>(html`<div><a id="before" href="#b">before</a>
      <mixpay-button server=${SERVER} product="coffee"></mixpay-button><a id="after" href="#a">after</a></div>`);
    const el = wrapper.querySelector('mixpay-button')!;
    el.environment = DESKTOP;
    await el.updateComplete;
    return el;
  }

  it('focus() on the element focuses its button; Tab order is before, pay button, after', async () => {
    const el = await page();
    el.focus();
    expect(focused(el)).to.equal('pay');
    (document.getElementById('before') as HTMLElement).focus();
    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal('pay');
    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal('after');
  });

  it('Enter opens the dialog; Tab stays inside it; Escape closes it and focus returns to the button', async () => {
    const el = await page();
    const closes = record(el, 'mixpay-close');
    el.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => shadow(el).querySelector('svg[part~=qr]'), 'dialog with QR code', { timeout: 3000 });
    expect(dialog(el)!.open).to.equal(true);
    expect(focused(el)).to.equal('close');

    const stops: string[] = [];
    for (let i = 0; i < 10; i++) {
      await sendKeys({ press: 'Tab' });
      stops.push(focused(el));
    }
    // The page behind the modal dialog is inert: focus cycles through the dialog (and the
    // browser's own UI, seen here as "page"; a dialog taller than the window is a focusable
    // scroller, "dialog"), never the pay button or the page's links.
    expect(stops.slice(0, 3)).to.deep.equal(['link', 'copy-field', 'copy']);
    expect(stops.filter((s) => !['close', 'link', 'copy-field', 'copy', 'page', 'dialog'].includes(s))).to.deep.equal([]);
    expect(stops).to.include('close');

    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !dialog(el)!.open, 'closed by Escape');
    expect(focused(el)).to.equal('pay');
    expect(closes).to.have.length(1);
    expect(button(el).getAttribute('aria-haspopup')).to.equal('dialog');
  });

  it('the close button closes the dialog from the keyboard too', async () => {
    const el = await page();
    el.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => shadow(el).querySelector('svg[part~=qr]'), 'dialog with QR code', { timeout: 3000 });
    await sendKeys({ press: 'Enter' }); // on the focused close button
    await waitUntil(() => !dialog(el)!.open, 'closed');
    expect(focused(el)).to.equal('pay');
  });
});

describe('<mixpay-button> keeps the keyboard focus when the state changes', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  it('focus on "Copy link" when the payment completes moves to the dialog\'s Close action, not to the page', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} product="coffee"></mixpay-button>`);
    el.environment = DESKTOP;
    el.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => shadow(el).querySelector('svg[part~=qr]'), 'dialog with QR code', { timeout: 3000 });
    shadow(el).querySelector<HTMLButtonElement>('.copy button')!.focus();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PAID' }));
    await waitUntil(() => dialog(el)!.querySelector('[part~=status]')?.textContent === 'Paid. Thank you!', 'paid shown');
    await el.updateComplete;
    expect(shadow(el).activeElement?.textContent?.trim()).to.equal('Close');
    expect(dialog(el)!.contains(shadow(el).activeElement)).to.equal(true);
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !dialog(el)!.open, 'closed with Enter');
    expect(focused(el)).to.equal('pay');
  });

  it('does not pull focus into the dialog while the customer is elsewhere (each countdown tick re-renders)', async () => {
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} product="coffee"></mixpay-button>`);
    el.environment = DESKTOP;
    button(el).click();
    await waitUntil(() => shadow(el).querySelector('svg[part~=qr]'), 'dialog with QR code', { timeout: 3000 });
    el.close();
    await waitUntil(() => !dialog(el)!.open, 'closed');
    (document.activeElement as HTMLElement | null)?.blur();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PENDING' }));
    await el.updateComplete;
    expect(shadow(el).activeElement).to.equal(null);
  });
});
