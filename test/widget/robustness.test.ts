import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import type { MixpayButton } from '../../widget/mixpay-button.ts';
import { FakeEventSource, FakeServer, SERVER } from './fake-server.ts';
import {
  button, clickAndWait, DESKTOP, dialog, dialogButton, dialogStatus, outerStatus, PHONE, productButton, record, shadow,
} from './element-helpers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const qrShown = (el: MixpayButton) => () => Boolean(shadow(el).querySelector('svg[part~=qr]'));

function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Collects uncaught errors and unhandled rejections while a test runs. */
function watchErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onError = (e: ErrorEvent) => errors.push(e.error ?? e.message);
  const onRejection = (e: PromiseRejectionEvent) => errors.push(e.reason);
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  return { errors, stop: () => (window.removeEventListener('error', onError), window.removeEventListener('unhandledrejection', onRejection)) };
}

describe('<mixpay-button> when things go wrong', () => {
  let server: FakeServer;
  beforeEach(() => (server = new FakeServer().install()));
  afterEach(() => {
    server.restore();
    delete (document as { hidden?: boolean }).hidden;
  });

  it('a server answering an HTML page instead of JSON: a visible error and mixpay-error bad-response', async () => {
    server.answer = (method) => (method === 'POST' ? new Response('<!doctype html><h1>Welcome to nginx</h1>', { status: 200, headers: { 'content-type': 'text/html' } }) : null);
    const el = await productButton();
    const errors = record(el, 'mixpay-error');
    await clickAndWait(el, () => errors.length > 0, 'error fired');
    expect(errors[0]!.detail.code).to.equal('bad-response');
    expect(dialogStatus(el)).to.match(/^The checkout could not be started: /);
    expect(shadow(el).querySelector('a[part~=link]')).to.equal(null);
    expect(button(el).getAttribute('aria-busy')).to.equal('false');
    await expect(el).to.be.accessible();
  });

  it('a JSON answer of the wrong shape (garbage links) is refused the same way', async () => {
    server.answer = (method) => (method === 'POST' ? new Response(JSON.stringify({ status: 201, order: { order_id: 1 }, links: 'x' }), { status: 201 }) : null);
    const el = await productButton();
    const errors = record(el, 'mixpay-error');
    await clickAndWait(el, () => errors.length > 0, 'error fired');
    expect(errors[0]!.detail.code).to.equal('bad-response');
    expect(dialogStatus(el)).to.contain('could not be started');
  });

  it('a 502 HTML page from a proxy: "retrying", then the checkout once the server is back', async () => {
    let failing = true;
    server.answer = (method) => (failing && method === 'POST' ? new Response('<html>Bad Gateway</html>', { status: 502 }) : null);
    const el = await productButton();
    const errors = record(el, 'mixpay-error');
    button(el).click();
    await waitUntil(() => dialogStatus(el) === 'Cannot reach the payment server. Retrying…', 'retrying shown');
    expect(errors[0]!.detail).to.deep.include({ code: 'network', serverCode: 'HTTP_502' });
    failing = false;
    await waitUntil(() => dialogStatus(el) === 'Waiting for your payment', 'recovered by itself', { timeout: 4000 });
  });

  it('an unreadable stream message, then 500s from the status endpoint: retrying, then the status once it answers', async () => {
    const el = await productButton();
    await clickAndWait(el, qrShown(el), 'QR shown');
    const id = server.lastOrder.order_id;
    let failing = true;
    server.answer = (method, url) => (failing && url.endsWith('/status') ? new Response('Internal Server Error', { status: 500 }) : null);
    FakeEventSource.last.dispatchEvent(new MessageEvent('status', { data: '<html>not json' }));
    await waitUntil(() => dialogStatus(el) === 'Cannot reach the payment server. Retrying…', 'retrying shown');
    expect(FakeEventSource.last.closed).to.equal(true);
    expect(dialogButton(el, 'Retry now')).to.exist;
    server.update(id, { status: 'PENDING' });
    failing = false;
    await waitUntil(() => dialogStatus(el).startsWith('Payment received'), 'status after recovery', { timeout: 5000 });
  });

  it('the stream drops after a first status: polling takes over and the payment still completes, announced once', async () => {
    const el = await productButton();
    await clickAndWait(el, qrShown(el), 'QR shown');
    const successes = record(el, 'mixpay-success');
    const id = server.lastOrder.order_id;
    FakeEventSource.last.send(server.update(id, { status: 'PENDING' }));
    await waitUntil(() => dialogStatus(el).startsWith('Payment received'), 'pending shown');
    server.update(id, { status: 'PAID' });
    FakeEventSource.last.fail();
    await waitUntil(() => outerStatus(el) === 'Paid. Thank you!', 'paid through polling');
    await sleep(2500); // another poll would come now if polling had not stopped
    expect(successes).to.have.length(1);
    expect(server.requests.filter((r) => r.url.endsWith('/status'))).to.have.length(1);
  });

  it('a tab hidden for a long time: nothing runs meanwhile, and the status is checked at once on return', async () => {
    const el = await productButton();
    await clickAndWait(el, qrShown(el), 'QR shown');
    const id = server.lastOrder.order_id;
    const streams = FakeEventSource.instances.length;
    setHidden(true);
    expect(FakeEventSource.last.closed, 'stream closed while hidden').to.equal(true);
    const requestsWhileHidden = server.requests.length;
    await sleep(2500);
    expect(server.requests.length).to.equal(requestsWhileHidden);
    expect(FakeEventSource.instances.length).to.equal(streams);
    server.update(id, { status: 'PAID' });
    setHidden(false);
    expect(FakeEventSource.instances.length, 'a new stream at once').to.equal(streams + 1);
    FakeEventSource.last.send(server.lastOrder);
    await waitUntil(() => outerStatus(el) === 'Paid. Thank you!', 'paid shown on return');
  });

  it('two buttons on one page keep their own checkouts, dialogs and events', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div>
      <mixpay-button server=${SERVER} product="coffee"></mixpay-button>
      <mixpay-button server=${SERVER} product="tea"></mixpay-button></div>`);
    const [a, b] = [...wrapper.querySelectorAll('mixpay-button')] as [MixpayButton, MixpayButton];
    a.environment = DESKTOP;
    b.environment = DESKTOP;
    const successA = record(a, 'mixpay-success');
    const successB = record(b, 'mixpay-success');
    await clickAndWait(a, qrShown(a), 'first QR');
    const [streamA, orderA] = [FakeEventSource.last, server.lastOrder];
    a.close();
    await waitUntil(() => !dialog(a)!.open, 'first closed');
    await clickAndWait(b, qrShown(b), 'second QR');
    const [streamB, orderB] = [FakeEventSource.last, server.lastOrder];
    expect(server.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { product: string }).product)).to.deep.equal(['coffee', 'tea']);
    expect(orderA.order_id).not.to.equal(orderB.order_id);
    streamB.send(server.update(orderB.order_id, { status: 'PAID' }));
    await waitUntil(() => outerStatus(b) === 'Paid. Thank you!', 'second paid');
    expect(outerStatus(a)).to.equal('Waiting for your payment');
    expect(successA).to.have.length(0);
    expect(successB.map((e) => e.detail.order.order_id)).to.deep.equal([orderB.order_id]);
    expect(streamA.closed).to.equal(false);
  });

  it('removed while the checkout request is in flight: no error, no request or timer left behind', async () => {
    const watch = watchErrors();
    const el = await productButton();
    const events = [...['mixpay-error', 'mixpay-status', 'mixpay-open'] as const].map((name) => record(el, name));
    server.hold = true;
    button(el).click();
    await waitUntil(() => server.requests.length === 1, 'request sent');
    el.remove();
    server.release();
    await sleep(2500);
    watch.stop();
    expect(watch.errors).to.deep.equal([]);
    expect(server.requests).to.have.length(1);
    expect(FakeEventSource.instances).to.have.length(0);
    expect(events.flat()).to.have.length(0);
  });

  it('removed while retrying an unreachable server: the retry timer goes with it', async () => {
    const el = await productButton();
    server.offline = 100;
    button(el).click();
    await waitUntil(() => dialogStatus(el).startsWith('Cannot reach'), 'retrying shown');
    const sent = server.requests.length;
    el.remove();
    await sleep(2500); // the first retry would have come after about 1 s
    expect(server.requests.length).to.equal(sent);
  });

  it('moved in the page while creating: the checkout still completes', async () => {
    const el = await productButton();
    const parent = el.parentElement!;
    server.hold = true;
    button(el).click();
    await waitUntil(() => server.requests.length === 1, 'request sent');
    parent.append(el); // a framework re-parenting the node: disconnected, then connected again
    server.release();
    await waitUntil(qrShown(el), 'QR shown after the move', { timeout: 3000 });
    expect(dialogStatus(el)).to.equal('Waiting for your payment');
  });

  it('a server attribute with a path prefix and a trailing slash', async () => {
    server.base = `${SERVER}/shop/pay`;
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${`${SERVER}/shop/pay/`} product="coffee"></mixpay-button>`);
    el.environment = DESKTOP;
    await clickAndWait(el, qrShown(el), 'QR shown');
    expect(server.requests[0]!.url).to.equal(`${SERVER}/shop/pay/v1/checkout`);
    expect(FakeEventSource.last.url).to.equal(`${SERVER}/shop/pay/v1/orders/${server.lastOrder.order_id}/events`);
  });

  it('order="..." of an order that is already paid: says so and opens nothing, even on a phone', async () => {
    const order = server.addOrder('PAID');
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} order=${order.order_id}></mixpay-button>`);
    el.environment = PHONE;
    const went: string[] = [];
    el.navigate = (url) => went.push(url);
    const opened = record(el, 'mixpay-open');
    const successes = record(el, 'mixpay-success');
    await clickAndWait(el, () => dialogStatus(el) === 'Paid. Thank you!', 'paid shown');
    await sleep(100);
    expect(went).to.deep.equal([]);
    expect(opened).to.have.length(0);
    expect(successes).to.have.length(1);
  });

  it('order="..." of an expired order on a phone: "expired", no navigation, no new checkout offered without a product', async () => {
    const order = server.addOrder('EXPIRED');
    const el = await fixture<MixpayButton>(html`<mixpay-button server=${SERVER} order=${order.order_id}></mixpay-button>`);
    el.environment = PHONE;
    const went: string[] = [];
    el.navigate = (url) => went.push(url);
    await clickAndWait(el, () => dialogStatus(el) === 'This checkout has expired', 'expired shown');
    expect(went).to.deep.equal([]);
    expect(dialogButton(el, 'Start a new checkout')).to.equal(undefined);
  });
});
