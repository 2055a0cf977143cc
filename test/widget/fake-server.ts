import type { OrderStatus, OrderStatusName } from '../../widget/order-status.ts';

export const SERVER = 'http://localhost:8787';

/** A stand-in EventSource the tests drive by hand. */
export class FakeEventSource extends EventTarget {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
    FakeEventSource.instances.push(this);
  }
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  /** Sends one `event: status` message, as the server does. */
  send(order: OrderStatus): void {
    this.readyState = 1;
    this.dispatchEvent(new MessageEvent('status', { data: JSON.stringify(order), lastEventId: String(order.version) }));
  }
  fail(): void {
    this.dispatchEvent(new Event('error'));
  }
  static get last(): FakeEventSource {
    const last = FakeEventSource.instances.at(-1);
    if (!last) throw new Error('no EventSource was opened');
    return last;
  }
}

export interface RecordedRequest {
  method: string;
  url: string;
  body: unknown;
  headers: Headers;
  /** performance.now() when the request was made. */
  at: number;
}

/**
 * The companion server's public endpoints as the contract describes them, in memory: fetch and
 * EventSource are replaced while installed.
 */
export class FakeServer {
  requests: RecordedRequest[] = [];
  orders = new Map<string, OrderStatus>();
  /** Links the next checkout gets. */
  links = { checkout_url: `${SERVER}/sandbox/mixpay/code/c1`, universal_url: `${SERVER}/sandbox/mixpay/code/c1`, deep_link: '' };
  /** While > 0, requests fail as a network error would. */
  offline = 0;
  /** Answer every checkout with this error instead. */
  checkoutError: { status: number; error_code: string; error: string } | null = null;
  /** The merchant's name the server sends as `payee_name` (the field is left out when null). */
  payeeName: string | null = null;
  /** How long new orders stay payable. */
  expiresIn = 15 * 60_000;
  /** Where the server's routes live (a `server` attribute may carry a path prefix). */
  base = SERVER;
  /** Answers a request in place of the server when it returns a Response (HTML, 500s, garbage). */
  answer: ((method: string, url: string) => Response | null) | null = null;
  /** Hold answers until release() (to test what the customer sees meanwhile). */
  hold = false;
  #held: Array<() => void> = [];
  #next = 1;
  #realFetch = window.fetch;
  #realEventSource = window.EventSource;

  install(): this {
    FakeEventSource.instances = [];
    sessionStorage.clear(); // each test starts with no remembered order (remembered-order.ts)
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => this.#fetch(String(input), init ?? {});
    (window as { EventSource: unknown }).EventSource = FakeEventSource;
    return this;
  }

  restore(): void {
    window.fetch = this.#realFetch;
    window.EventSource = this.#realEventSource;
  }

  release(): void {
    this.hold = false;
    for (const go of this.#held.splice(0)) go();
  }

  /** Makes an order as the merchant's backend would (for `order="..."`). */
  addOrder(status: OrderStatusName = 'NEW'): OrderStatus {
    const order = this.#newOrder(status);
    this.orders.set(order.order_id, order);
    return order;
  }

  /** Changes an order and returns the new state (version + 1). */
  update(id: string, change: Partial<OrderStatus>): OrderStatus {
    const current = this.orders.get(id);
    if (!current) throw new Error(`no order ${id}`);
    const next = { ...current, ...change, version: current.version + 1, updated_at: new Date().toISOString() };
    this.orders.set(id, next);
    return next;
  }

  get lastOrder(): OrderStatus {
    const last = [...this.orders.values()].at(-1);
    if (!last) throw new Error('no order yet');
    return last;
  }

  #newOrder(status: OrderStatusName): OrderStatus {
    const id = `00000000-0000-4000-8000-00000000000${this.#next++}`;
    const expires = Date.now() + this.expiresIn;
    return {
      order_id: id,
      status,
      price_amount: '9.99',
      price_currency: 'USD',
      pay_amount: null,
      pay_currency: null,
      amount_due: null,
      failure_reason: null,
      payee_name: this.payeeName,
      expires_at: new Date(expires).toISOString(),
      expires_at_t: expires,
      updated_at: new Date().toISOString(),
      version: 1,
      links: { ...this.links },
      confirmations: null,
      required_confirms: null,
      transactions: [],
    };
  }

  async #fetch(url: string, init: RequestInit): Promise<Response> {
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = new Headers(init.headers);
    this.requests.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : null, headers, at: performance.now() });
    if (this.hold) await new Promise<void>((go) => this.#held.push(go));
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    if (this.offline > 0) {
      this.offline--;
      throw new TypeError('Failed to fetch');
    }
    const replaced = this.answer?.(method, url);
    if (replaced) return replaced;
    if (method === 'POST' && url === `${this.base}/v1/checkout`) {
      if (this.checkoutError) return json(this.checkoutError.status, this.checkoutError);
      const order = this.#newOrder('NEW');
      this.orders.set(order.order_id, order);
      const { links, version: _v, amount_due: _a, failure_reason: _f, payee_name, ...rest } = order;
      return json(201, {
        status: 201,
        order: { ...rest, ...(payee_name === null ? {} : { payee_name }), merchant_order_id: null, title: 'Coffee beans', description: '250 g', created_at: rest.updated_at },
        payment_url: links.checkout_url,
        links,
        status_url: `${this.base}/v1/orders/${order.order_id}/status`,
        events_url: `${this.base}/v1/orders/${order.order_id}/events`,
      });
    }
    const match = url.startsWith(`${this.base}/v1/orders/`) ? /\/v1\/orders\/([^/]+)\/status$/.exec(url) : null;
    if (method === 'GET' && match) {
      const order = this.orders.get(decodeURIComponent(match[1]!));
      if (!order) return json(404, { status: 404, error_code: 'ORDER_NOT_FOUND', error: 'No such order.' });
      const etag = `"v${order.version}"`;
      if (headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers: { etag } });
      const { payee_name, ...rest } = order;
      return json(200, payee_name === null ? rest : order, { etag });
    }
    return json(404, { status: 404, error_code: 'NOT_FOUND', error: `no route ${method} ${url}` });
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}
