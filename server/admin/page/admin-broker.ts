import { html, LitElement, nothing } from 'lit';
import type { AdminClient } from './admin-client.ts';
import { adminStyles } from './admin.styles.ts';
import { formatTime, shortId } from './format.ts';
import { failureMessage } from './mixpay-admin.ts';
import { PollController } from './poll-controller.ts';

interface Job {
  id: string;
  trace_id: string;
  status: string;
  attempts: number;
  last_error: string | null;
  updated_at_t: number;
}

interface BrokerOverview {
  balances: Array<{ asset_id: string; symbol: string; balance: string; reserved: string; available: string; synced_at_t: number }>;
  orders_by_status: Record<string, number>;
  open_orders: Array<{ trace_id: string; wallet: string; status: string; amount: string; asset_id: string; expired_at_t: number; created_at_t: number }>;
  transfers: Job[];
  refunds: { jobs: Job[]; incoming: Array<{ snapshot_id: string; outcome: string; matched: boolean; order_trace_id: string | null; amount: string; asset_id: string; note: string; recorded_at_t: number }> };
  attention: string[];
}

/** @summary Broker mode: balances against reservations, open and settling orders, transfers, refunds, alerts. */
export class AdminBroker extends LitElement {
  static override styles = adminStyles;

  static override properties = {
    client: { attribute: false },
    overview: { state: true },
    error: { state: true },
  };

  declare client: AdminClient;
  declare overview: BrokerOverview | null;
  declare error: string;

  private readonly poll = new PollController(this, (signal) => this.load(signal), 10_000);

  constructor() {
    super();
    this.overview = null;
    this.error = '';
  }

  private async load(signal: AbortSignal): Promise<void> {
    if (!this.client) return;
    try {
      const overview = await this.client.get<BrokerOverview>('/broker', signal);
      if (!signal.aborted) this.overview = overview;
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      this.error = failureMessage(this, error);
    }
  }

  private jobs(label: string, jobs: Job[]) {
    return html`<div class="card table-wrap" tabindex="0" role="region" aria-label=${label}>
      <table>
        <thead><tr><th scope="col">Order</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Updated</th></tr></thead>
        <tbody>${jobs.map((j) => html`<tr><td class="mono" title=${j.trace_id}>${shortId(j.trace_id)}</td><td>${j.status}</td><td class="num">${j.attempts}</td><td>${j.last_error ?? '—'}</td><td class="num">${formatTime(j.updated_at_t)}</td></tr>`)}</tbody>
      </table>
      ${jobs.length === 0 ? html`<p class="muted">None.</p>` : nothing}
    </div>`;
  }

  override render() {
    const o = this.overview;
    if (!o) return html`<h1>Broker</h1><p class="error" role="alert">${this.error}</p><p role="status">${this.error ? '' : 'Loading…'}</p>`;
    return html`
      <h1>Broker</h1>
      <p class="error" role="alert">${this.error}</p>
      <section aria-labelledby="attention">
        <h2 id="attention">Needs attention</h2>
        ${o.attention.length ? html`<ul class="card">${o.attention.map((line) => html`<li class="error">${line}</li>`)}</ul>` : html`<p class="muted">Nothing: no failing transfer or refund, no unmatched transfer.</p>`}
      </section>
      <h2>Balances</h2>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Balances">
        <table>
          <thead><tr><th scope="col">Asset</th><th scope="col">Balance</th><th scope="col">Reserved</th><th scope="col">Available</th><th scope="col">Synced</th></tr></thead>
          <tbody>${o.balances.map((b) => html`<tr><td title=${b.asset_id}>${b.symbol}</td><td class="num">${b.balance}</td><td class="num">${b.reserved}</td><td class="num">${b.available}</td><td class="num">${formatTime(b.synced_at_t)}</td></tr>`)}</tbody>
        </table>
      </div>
      <h2>Orders open or settling</h2>
      <p class="muted">${Object.entries(o.orders_by_status).map(([status, count]) => `${status} ${count}`).join(' · ') || 'No orders yet.'}</p>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Orders open or settling">
        <table>
          <thead><tr><th scope="col">Trace</th><th scope="col">Wallet</th><th scope="col">Status</th><th scope="col">Amount</th><th scope="col">Expires</th></tr></thead>
          <tbody>${o.open_orders.map((r) => html`<tr><td class="mono" title=${r.trace_id}>${shortId(r.trace_id)}</td><td>${r.wallet}</td><td>${r.status}</td><td class="num">${r.amount}</td><td class="num">${formatTime(r.expired_at_t)}</td></tr>`)}</tbody>
        </table>
      </div>
      <h2>Transfers to MixPay</h2>
      ${this.jobs('Transfers to MixPay', o.transfers)}
      <h2>Refunds</h2>
      ${this.jobs('Refunds to customers', o.refunds.jobs)}
      <h3>Incoming transfers</h3>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Incoming transfers">
        <table>
          <thead><tr><th scope="col">Snapshot</th><th scope="col">Kind</th><th scope="col">Order</th><th scope="col">Amount</th><th scope="col">Note</th></tr></thead>
          <tbody>${o.refunds.incoming.map((i) => html`<tr><td class="mono" title=${i.snapshot_id}>${shortId(i.snapshot_id)}</td><td>${i.matched ? 'matched' : 'unmatched'} ${i.outcome}</td><td class="mono">${i.order_trace_id ? shortId(i.order_trace_id) : '—'}</td><td class="num">${i.amount}</td><td>${i.note}</td></tr>`)}</tbody>
        </table>
        ${o.refunds.incoming.length === 0 ? html`<p class="muted">None.</p>` : nothing}
      </div>
    `;
  }
}
