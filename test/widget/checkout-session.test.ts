import { expect, waitUntil } from '@open-wc/testing';
import type { ReactiveController } from 'lit';
import { CheckoutSession, type SessionHost } from '../../widget/checkout-session.ts';
import type { Environment } from '../../widget/choose-link.ts';
import { FakeEventSource, FakeServer, SERVER } from './fake-server.ts';

/** A host that is not the element: SessionHost is all the session may use. */
class StandInHost extends EventTarget implements SessionHost {
  controllers: ReactiveController[] = [];
  went: string[] = [];
  isConnected = true;
  server = SERVER;
  product = 'coffee';
  orderId = '';
  payeeId = '';
  quoteAmount = '';
  quoteAssetId = '';
  settlementAssetId = '';
  remark = '';
  payBase = 'https://mixpay.me/pay';
  allowedSchemes = '';
  payeeName = '';
  environment: Environment = { form: 'phone', walletScheme: null, inAppBrowser: null };
  locale = null;
  strings = null;
  stringsLoaded = Promise.resolve();
  updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController) {
    this.controllers.push(controller);
    controller.hostConnected?.();
  }
  removeController() {}
  requestUpdate() {}
  dialog() {
    return null;
  }
  focus() {}
  navigate(url: string) {
    this.went.push(url);
  }
  disconnect() {
    this.isConnected = false;
    for (const controller of this.controllers) controller.hostDisconnected?.();
  }
}

describe('CheckoutSession against a stand-in host', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => server.restore());

  it('creates the checkout, announces it, opens its link on a phone and follows the status', async () => {
    const host = new StandInHost();
    const events: string[] = [];
    for (const name of ['mixpay-status', 'mixpay-open', 'mixpay-success'] as const) host.addEventListener(name, () => events.push(name));
    const session = new CheckoutSession(host);
    session.open();
    await waitUntil(() => host.went.length > 0, 'navigated');
    expect(host.went).to.deep.equal([server.lastOrder.links.universal_url]);
    expect(session.phase).to.equal('awaiting');
    expect(session.order?.order_id).to.equal(server.lastOrder.order_id);
    FakeEventSource.last.send(server.update(server.lastOrder.order_id, { status: 'PAID' }));
    expect(session.phase).to.equal('paid');
    expect(events).to.deep.equal(['mixpay-status', 'mixpay-open', 'mixpay-status', 'mixpay-success']);
    host.disconnect();
  });
});
