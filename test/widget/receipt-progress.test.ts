import { expect, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { FakeEventSource, FakeServer } from './fake-server.ts';
import { clickAndWait, dialogStatus, dialogText, productButton, shadow } from './element-helpers.ts';

const TXID = 'f3b2c1d0a9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0';

describe('<mixpay-button>: confirmations while pending, the transaction on the receipt', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  async function open(attrs = ''): Promise<MixpayButton> {
    const el = await productButton(undefined, attrs);
    await clickAndWait(el, () => Boolean(shadow(el).querySelector('svg[part~=qr]')), 'QR code shown');
    return el;
  }

  it('sends the page it starts from (without the fragment) as return_to', async () => {
    const before = location.href;
    history.replaceState(null, '', `${location.pathname}?shop=1#section`);
    await open().finally(() => history.replaceState(null, '', before));
    const create = server.requests.find((r) => r.method === 'POST');
    expect(create?.body).to.deep.equal({ product: 'coffee', return_to: `${new URL(before).origin}${new URL(before).pathname}?shop=1` });
  });

  it('pending shows "n of m confirmations", climbing as the status moves', async () => {
    const el = await open();
    const id = server.lastOrder.order_id;
    FakeEventSource.last.send(server.update(id, { status: 'PENDING', pay_amount: '9.99', pay_currency: 'USDT', confirmations: 1, required_confirms: 3 }));
    await waitUntil(() => dialogText(el).includes('1 of 3 confirmations'), 'first confirmation shown');
    FakeEventSource.last.send(server.update(id, { confirmations: 2 }));
    await waitUntil(() => dialogText(el).includes('2 of 3 confirmations'), 'second confirmation shown');
    // Screen readers hear the count climb: it is a live region, like the status line above it.
    const live = [...el.shadowRoot!.querySelectorAll('[role="status"]')].map((n) => n.textContent ?? '');
    expect(live.some((text) => text.includes('2 of 3 confirmations'))).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('pending without a count says nothing of confirmations', async () => {
    const el = await open();
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PENDING' }));
    await waitUntil(() => dialogStatus(el).startsWith('Payment received'), 'pending shown');
    expect(dialogText(el)).not.to.match(/\d+ of \d+ confirmations/);
  });

  it('the receipt links the transaction to its explorer with a shortened txid; a link that is not http(s) is text', async () => {
    const el = await open();
    const id = server.lastOrder.order_id;
    FakeEventSource.last.send(server.update(id, {
      status: 'PAID',
      transactions: [
        { txid: TXID, explorer_url: `https://viewblock.io/mixin/tx/${TXID}` },
        { txid: 'second-tx', explorer_url: 'javascript:alert(1)' },
        // Not transactions at all: left out, never a broken receipt.
        null, 42, { explorer_url: 'https://viewblock.io/x' },
      ] as never,
    }));
    await waitUntil(() => dialogStatus(el).startsWith('Paid'), 'receipt shown');
    const links = [...shadow(el).querySelectorAll<HTMLAnchorElement>('a[part~=transaction]')];
    expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([`https://viewblock.io/mixin/tx/${TXID}`]);
    expect(links[0]!.textContent).to.equal('f3b2c1d0…c2d1e0');
    expect(links[0]!.rel).to.equal('noopener noreferrer');
    expect(dialogText(el)).to.contain('second-tx');
    expect(shadow(el).innerHTML).not.to.contain('javascript:');
    await expect(el).to.be.accessible();
  });

  it('speaks the confirmations in the page\'s language', async () => {
    const el = await open('lang=de');
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PENDING', confirmations: 2, required_confirms: 6 }));
    await waitUntil(() => dialogText(el).includes('2 von 6 Bestätigungen'), 'German confirmations shown');
  });

  it('counts in Arabic digits on an Arabic page', async () => {
    const el = await open('lang=ar');
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PENDING', confirmations: 1, required_confirms: 3 }));
    const expected = `${(1).toLocaleString('ar')} من ${(3).toLocaleString('ar')} تأكيدات`;
    await waitUntil(() => dialogText(el).includes(expected), 'Arabic confirmations shown');
  });
});
