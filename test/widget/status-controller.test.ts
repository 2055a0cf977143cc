import { expect, waitUntil } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { OrderStatus } from '../../widget/order-status.ts';
import { OrderStatusController } from '../../widget/status-controller.ts';
import { FakeEventSource, FakeServer, SERVER } from './fake-server.ts';

const FAST = { pollInterval: 40, retryBase: 20, retryMax: 80 };

class Host implements ReactiveControllerHost {
  controllers: ReactiveController[] = [];
  addController(c: ReactiveController) { this.controllers.push(c); }
  removeController() {}
  requestUpdate() {}
  get updateComplete() { return Promise.resolve(true); }
  connect() { for (const c of this.controllers) c.hostConnected?.(); }
  disconnect() { for (const c of this.controllers) c.hostDisconnected?.(); }
}

function setHidden(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('OrderStatusController', () => {
  let server: FakeServer;
  let realEventSource: typeof EventSource;
  let seen: OrderStatus[];
  let connection: string[];
  let host: Host;
  let controller: OrderStatusController;

  function start(withStream: boolean, known: OrderStatus | null = null): OrderStatus {
    if (!withStream) delete (window as { EventSource?: unknown }).EventSource;
    const order = known ?? server.addOrder('NEW');
    controller.follow({ statusUrl: `${SERVER}/v1/orders/${order.order_id}/status`, eventsUrl: `${SERVER}/v1/orders/${order.order_id}/events` }, known);
    return order;
  }
  const polls = () => server.requests.filter((r) => r.url.endsWith('/status'));

  beforeEach(() => {
    realEventSource = window.EventSource;
    server = new FakeServer().install();
    seen = [];
    connection = [];
    host = new Host();
    controller = new OrderStatusController(host, {
      onStatus: (o) => seen.push(o),
      onConnection: (s) => connection.push(s),
      onFatal: (e) => connection.push(`fatal:${e.code}`),
    }, FAST);
    host.connect();
  });
  afterEach(() => {
    host.disconnect();
    server.restore();
    window.EventSource = realEventSource;
    delete (document as { hidden?: boolean }).hidden;
  });

  it('opens the event stream first and applies what it says', async () => {
    const order = start(true);
    expect(FakeEventSource.last.url).to.equal(`${SERVER}/v1/orders/${order.order_id}/events`);
    FakeEventSource.last.send(server.update(order.order_id, { status: 'PENDING' }));
    expect(seen.map((o) => o.status)).to.deep.equal(['PENDING']);
    expect(polls()).to.have.length(0);
  });

  it('stops on a final status', async () => {
    const order = start(true);
    FakeEventSource.last.send(server.update(order.order_id, { status: 'PAID' }));
    expect(FakeEventSource.last.closed).to.equal(true);
    expect(controller.active).to.equal(false);
  });

  it('polls with If-None-Match and takes a 304 as "no change"', async () => {
    const order = start(false);
    await waitUntil(() => polls().length >= 3, 'three polls');
    expect(polls()[0]!.headers.get('if-none-match')).to.equal(null);
    expect(polls()[1]!.headers.get('if-none-match')).to.equal(`"v${order.version}"`);
    expect(seen).to.have.length(1); // the first answer; the 304s change nothing
    server.update(order.order_id, { status: 'PAID' });
    await waitUntil(() => seen.at(-1)?.status === 'PAID', 'paid seen');
    const count = polls().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(polls().length, 'no polling after a final status').to.equal(count);
  });

  it('backs off on errors, reports "retrying", then "live" when the server answers', async () => {
    server.offline = 3;
    start(false);
    await waitUntil(() => connection.includes('live'), 'recovered', { timeout: 3000 });
    expect(connection.slice(0, 4)).to.deep.equal(['retrying', 'retrying', 'retrying', 'live']);
    const at = polls().slice(0, 4).map((r) => r.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // base 20 ms doubling, minus at most 20 % jitter: >= 16, 32, 64 ms
    expect(gaps[0]).to.be.at.least(15);
    expect(gaps[1]).to.be.at.least(31);
    expect(gaps[2]).to.be.at.least(63);
  });

  it('gives up on an unknown order (404) instead of retrying forever', async () => {
    delete (window as { EventSource?: unknown }).EventSource;
    controller.follow({ statusUrl: `${SERVER}/v1/orders/nope/status`, eventsUrl: '' });
    await waitUntil(() => connection.includes('fatal:ORDER_NOT_FOUND'), 'fatal reported');
    expect(controller.active).to.equal(false);
  });

  it('drops an answer that arrives after a newer request started', async () => {
    const order = start(false);
    await waitUntil(() => seen.length === 1, 'first answer');
    server.hold = true;
    await waitUntil(() => server.requests.length >= 2, 'a poll is in flight');
    server.update(order.order_id, { status: 'PENDING' });
    controller.checkNow(); // aborts the held request and asks again
    server.release();
    await waitUntil(() => seen.length === 2, 'newer answer applied');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.map((o) => o.status)).to.deep.equal(['NEW', 'PENDING']);
  });

  it('ignores a status whose version is not newer than the one it knows', async () => {
    const known = server.addOrder('NEW');
    const newer = server.update(known.order_id, { status: 'PENDING' });
    start(true, newer);
    FakeEventSource.last.send(known);
    FakeEventSource.last.send(newer);
    expect(seen).to.have.length(0);
  });

  it('pauses while the page is hidden and checks at once when it returns', async () => {
    const order = start(false);
    await waitUntil(() => polls().length >= 1, 'first poll');
    setHidden(true);
    await new Promise((r) => setTimeout(r, 30));
    const count = polls().length;
    await new Promise((r) => setTimeout(r, 200));
    expect(polls().length, 'no polls while hidden').to.equal(count);
    server.update(order.order_id, { status: 'PAID' });
    setHidden(false);
    await waitUntil(() => seen.at(-1)?.status === 'PAID', 'checked on return', { timeout: 100 });
  });

  it('closes the stream while hidden and reopens it on return', async () => {
    start(true);
    const first = FakeEventSource.last;
    setHidden(true);
    expect(first.closed).to.equal(true);
    setHidden(false);
    expect(FakeEventSource.last).to.not.equal(first);
    expect(FakeEventSource.last.closed).to.equal(false);
  });

  it('stops everything when the host leaves the DOM', async () => {
    start(false);
    await waitUntil(() => polls().length >= 1, 'first poll');
    host.disconnect();
    await new Promise((r) => setTimeout(r, 30));
    const count = polls().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(polls().length).to.equal(count);
    host.connect(); // and resumes when it comes back
    await waitUntil(() => polls().length > count, 'resumed');
  });
});
