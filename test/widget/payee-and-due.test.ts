import { expect, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { FakeEventSource, FakeServer } from './fake-server.ts';
import { clickAndWait, dialogStatus, dialogText, outerStatus, productButton, shadow } from './element-helpers.ts';

/** The value the customer reads next to a label in the dialog's details ("Payee", "Amount"). */
function detail(el: MixpayButton, label: string): string {
  const term = [...shadow(el).querySelectorAll('dl dt')].find((dt) => dt.textContent?.trim() === label);
  return term?.nextElementSibling?.textContent?.trim() ?? '';
}
const qrLabel = (el: MixpayButton) => shadow(el).querySelector('svg[part~=qr]')?.getAttribute('aria-label') ?? '';

describe('<mixpay-button>: who is paid, and what is still due', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  async function open(attrs = ''): Promise<MixpayButton> {
    const el = await productButton(undefined, attrs);
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('svg[part~=qr]')), 'QR code shown');
    return el;
  }

  it('names the merchant the server supplies as payee_name, over the payee-name attribute', async () => {
    server.payeeName = 'Blue Bottle Roasters';
    const el = await open('payee-name=Somebody+else');
    expect(detail(el, 'Payee')).to.equal('Blue Bottle Roasters');
    expect(qrLabel(el)).to.equal('QR code to pay $9.99 to Blue Bottle Roasters');
    await expect(el).to.be.accessible();
  });

  it('without payee_name from the server, names the payee-name attribute', async () => {
    const el = await open('payee-name=Corner+Caf%C3%A9');
    expect(detail(el, 'Payee')).to.equal('Corner Café');
    expect(qrLabel(el)).to.equal('QR code to pay $9.99 to Corner Café');
  });

  it('with neither, names the page\'s host', async () => {
    const el = await open();
    expect(detail(el, 'Payee')).to.equal(location.hostname);
  });

  it('takes payee_name from a later status too (order="..." reads it from the status answer)', async () => {
    server.payeeName = 'Blue Bottle Roasters';
    const order = server.addOrder('NEW');
    const el = await productButton();
    el.product = '';
    el.orderId = order.order_id;
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('svg[part~=qr]')), 'QR code shown');
    expect(detail(el, 'Payee')).to.equal('Blue Bottle Roasters');
  });

  it('keeps the product title and payee name when status updates (which carry neither) arrive', async () => {
    server.payeeName = 'Blue Bottle Roasters';
    const el = await open();
    server.payeeName = null;
    const id = server.lastOrder.order_id;
    FakeEventSource.last.send(server.update(id, { status: 'PENDING', payee_name: null }));
    await waitUntil(() => dialogStatus(el).startsWith('Payment received'), 'pending shown');
    expect(dialogText(el)).to.contain('Coffee beans');
    FakeEventSource.last.send(server.update(id, { status: 'UNRESOLVED', pay_currency: 'USDT', amount_due: '1' }));
    await waitUntil(() => dialogStatus(el).startsWith('Paid less'), 'paid less shown');
    expect(dialogText(el)).to.contain('Coffee beans');
    expect(detail(el, 'Payee')).to.equal('Blue Bottle Roasters');
    expect(el.order?.title).to.equal('Coffee beans');
  });

  it('paid less: the amount still due is shown in the asset paid with (pay_currency), not the price currency', async () => {
    const el = await open();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'UNRESOLVED', pay_amount: '7.49', pay_currency: 'USDT', amount_due: '2.5' }));
    await waitUntil(() => dialogStatus(el).startsWith('Paid less'), 'paid less shown');
    expect(dialogStatus(el)).to.equal('Paid less than the price. Still due: 2.5 USDT');
    expect(outerStatus(el)).to.equal('Paid less than the price. Still due: 2.5 USDT');
    expect(dialogStatus(el)).not.to.contain('$');
  });

  it('paid less in BTC keeps every digit of the amount due', async () => {
    const el = await open();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'UNRESOLVED', pay_currency: 'BTC', amount_due: '0.00001234' }));
    await waitUntil(() => dialogStatus(el).startsWith('Paid less'), 'paid less shown');
    expect(dialogStatus(el)).to.equal('Paid less than the price. Still due: 0.00001234 BTC');
  });

  it('paid less with no pay_currency falls back to the price currency', async () => {
    const el = await open();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'UNRESOLVED', pay_currency: null, amount_due: '2.50' }));
    await waitUntil(() => dialogStatus(el).startsWith('Paid less'), 'paid less shown');
    expect(dialogStatus(el)).to.equal('Paid less than the price. Still due: $2.50');
  });
});
