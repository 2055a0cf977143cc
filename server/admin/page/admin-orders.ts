import { html, LitElement, nothing } from 'lit';
import type { AdminClient } from './admin-client.ts';
import { adminStyles } from './admin.styles.ts';
import { formatAmount, formatIso, shortId } from './format.ts';
import { failureMessage } from './mixpay-admin.ts';
import { toneOfStatus } from './status-tone.ts';
import { ORDER_STATUSES, type AdminOrder } from './types.ts';

/** @summary The order list: a search box (our id, merchant order id, traceId), a status filter, older pages. */
export class AdminOrders extends LitElement {
  static override styles = adminStyles;

  static override properties = {
    client: { attribute: false },
    query: { attribute: false },
    orders: { state: true },
    next: { state: true },
    error: { state: true },
    loading: { state: true },
  };

  declare client: AdminClient;
  declare query: URLSearchParams;
  declare orders: AdminOrder[];
  declare next: string | null;
  declare error: string;
  declare loading: boolean;

  private controller: AbortController | undefined;

  constructor() {
    super();
    this.query = new URLSearchParams();
    this.orders = [];
    this.next = null;
    this.error = '';
    this.loading = false;
  }

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('query') || changed.has('client')) void this.load(false);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.controller?.abort();
  }

  private async load(more: boolean): Promise<void> {
    if (!this.client) return;
    this.controller?.abort();
    const controller = (this.controller = new AbortController());
    const params = new URLSearchParams();
    for (const name of ['status', 'q']) {
      const value = this.query.get(name);
      if (value) params.set(name, value);
    }
    if (more && this.next) params.set('after', this.next);
    this.loading = true;
    try {
      const answer = await this.client.get<{ orders: AdminOrder[]; next: string | null }>(`/orders?${params}`, controller.signal);
      if (controller.signal.aborted) return;
      this.orders = more ? [...this.orders, ...answer.orders] : answer.orders;
      this.next = answer.next;
      this.error = '';
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      this.error = failureMessage(this, error);
    } finally {
      if (this.controller === controller) this.loading = false;
    }
  }

  private search(event: SubmitEvent): void {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const params = new URLSearchParams();
    const q = String(data.get('q') ?? '').trim();
    const status = String(data.get('status') ?? '');
    if (q) params.set('q', q);
    if (status) params.set('status', status);
    location.hash = `#/orders${params.size ? `?${params}` : ''}`;
  }

  override render() {
    const status = this.query.get('status') ?? '';
    return html`
      <h1>Orders</h1>
      <form class="filters" role="search" @submit=${this.search}>
        <label>Search by order id, merchant order id or traceId
          <input name="q" type="search" .value=${this.query.get('q') ?? ''} autocomplete="off" />
        </label>
        <label>Status
          <select name="status">
            <option value="" ?selected=${status === ''}>Any status</option>
            ${ORDER_STATUSES.map((s) => html`<option value=${s} ?selected=${s === status}>${s}</option>`)}
          </select>
        </label>
        <button class="primary" type="submit">Search</button>
      </form>
      <p class="error" role="alert">${this.error}</p>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Orders">
        <table class="stack">
          <thead>
            <tr><th scope="col">Created</th><th scope="col">Order</th><th scope="col">Merchant order id</th><th scope="col">Status</th><th scope="col">Price</th><th scope="col" class="hide-narrow">Paid</th></tr>
          </thead>
          <tbody>
            ${this.orders.map(
              (o) => html`<tr>
                <td class="num" data-label="Created">${formatIso(o.created_at)}</td>
                <td data-label="Order"><a href="#/orders/${o.order_id}" title=${o.order_id} class="mono">${shortId(o.order_id)}</a></td>
                <td data-label="Merchant order id">${o.merchant_order_id ?? '—'}</td>
                <td data-label="Status"><span class="status" data-tone=${toneOfStatus(o.status)}>${o.status}</span></td>
                <td class="num" data-label="Price">${formatAmount(o.price_amount, o.price_currency)}</td>
                <td class="num" data-label="Paid">${formatAmount(o.pay_amount, o.pay_currency)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${!this.loading && this.orders.length === 0 ? html`<p class="muted">No orders match.</p>` : nothing}
      </div>
      <p class="row">
        ${this.next ? html`<button class="secondary" type="button" ?disabled=${this.loading} @click=${() => this.load(true)}>Older orders</button>` : nothing}
        <span role="status" class="muted">${this.loading ? 'Loading…' : `${this.orders.length} shown`}</span>
      </p>
    `;
  }
}
