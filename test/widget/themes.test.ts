import { expect, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import type { OrderStatus } from '../../widget/order-status.ts';
import { FakeEventSource, FakeServer } from './fake-server.ts';
import { clickAndWait, dialog, dialogStatus, productButton, shadow } from './element-helpers.ts';

// axe's colour-contrast rule runs inside to.be.accessible(): every state's text must stay readable
// in both themes (the status line changes colour for paid, failed and unreachable).
const STATES: Array<[string, Partial<OrderStatus>, string]> = [
  ['paid less', { status: 'UNRESOLVED', pay_currency: 'USDT', amount_due: '1.5' }, 'Paid less than the price. Still due: 1.5 USDT'],
  ['failed', { status: 'FAILED', failure_reason: 'Wrong asset' }, 'Payment failed: Wrong asset'],
  ['paid', { status: 'PAID' }, 'Paid. Thank you!'],
];

for (const theme of ['light', 'dark'] as const) {
  describe(`<mixpay-button theme="${theme}">`, () => {
    let server: FakeServer;
    beforeEach(() => (server = new FakeServer().install()));
    afterEach(() => server.restore());

    async function open(): Promise<MixpayButton> {
      const el = await productButton(undefined, `theme=${theme}`);
      await clickAndWait(el, () => Boolean(shadow(el).querySelector('svg[part~=qr]')), 'QR shown');
      return el;
    }

    it('dialog colours follow the theme; the QR code stays black on white', async () => {
      const el = await open();
      const background = getComputedStyle(dialog(el)!).backgroundColor;
      expect(background).to.equal(theme === 'dark' ? 'rgb(22, 27, 34)' : 'rgb(255, 255, 255)');
      expect(shadow(el).querySelector('svg[part~=qr] rect')!.getAttribute('fill')).to.equal('#fff');
      await expect(el).to.be.accessible();
    });

    for (const [name, change, text] of STATES) {
      it(`${name}: readable`, async () => {
        const el = await open();
        FakeEventSource.last.send(server.update(server.lastOrder.order_id, change));
        await waitUntil(() => dialogStatus(el) === text, `${name} shown`);
        await expect(el).to.be.accessible();
      });
    }

    it('server unreachable: readable', async () => {
      server.offline = 100;
      const el = await productButton(undefined, `theme=${theme}`);
      await clickAndWait(el, () => dialogStatus(el).startsWith('Cannot reach'), 'unreachable shown');
      await expect(el).to.be.accessible();
      el.remove();
    });
  });
}
