import { html, LitElement, nothing } from 'lit';
import type { AdminClient } from './admin-client.ts';
import { adminStyles } from './admin.styles.ts';
import { formatIso, formatTime, shortId } from './format.ts';
import { failureMessage } from './mixpay-admin.ts';
import { PollController } from './poll-controller.ts';
import { toneOfOutcome } from './status-tone.ts';
import type { AdminNotification, EndpointHealth } from './types.ts';

/** @summary Notification endpoints, failing ones first, and the latest events with a resend button. */
export class AdminNotifications extends LitElement {
  static override styles = adminStyles;

  static override properties = {
    client: { attribute: false },
    query: { attribute: false },
    endpoints: { state: true },
    notifications: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  declare client: AdminClient;
  declare query: URLSearchParams;
  declare endpoints: EndpointHealth[];
  declare notifications: AdminNotification[];
  declare error: string;
  declare notice: string;

  private readonly poll = new PollController(this, (signal) => this.load(signal), 5000);

  constructor() {
    super();
    this.query = new URLSearchParams();
    this.endpoints = [];
    this.notifications = [];
    this.error = '';
    this.notice = '';
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('query') && changed.get('query') !== undefined) void this.poll.run();
  }

  private async load(signal: AbortSignal): Promise<void> {
    if (!this.client) return;
    const params = new URLSearchParams();
    for (const name of ['state', 'url']) {
      const value = this.query.get(name);
      if (value) params.set(name, value);
    }
    try {
      const answer = await this.client.get<{ endpoints: EndpointHealth[]; notifications: AdminNotification[] }>(`/notifications?${params}`, signal);
      if (signal.aborted) return;
      this.endpoints = answer.endpoints;
      this.notifications = answer.notifications;
      this.error = '';
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      this.error = failureMessage(this, error);
    }
  }

  private async resend(n: AdminNotification): Promise<void> {
    try {
      await this.client.post(`/notifications/${encodeURIComponent(n.event_id)}/resend`);
      this.notice = `Notification ${n.status} of order ${shortId(n.order_id)} queued to be sent again.`;
    } catch (error) {
      this.error = failureMessage(this, error);
    }
    await this.poll.run();
  }

  private filter(event: Event): void {
    const state = (event.currentTarget as HTMLSelectElement).value;
    location.hash = `#/notifications${state ? `?state=${state}` : ''}`;
  }

  override render() {
    const state = this.query.get('state') ?? '';
    return html`
      <h1>Notifications</h1>
      <p class="error" role="alert">${this.error}</p>
      <p role="status">${this.notice}</p>
      <h2>Endpoints</h2>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Endpoints">
        <table class="stack">
          <thead><tr><th scope="col">Callback URL</th><th scope="col">Failing</th><th scope="col">Given up</th><th scope="col">Refused</th><th scope="col">Waiting</th><th scope="col">Delivered</th><th scope="col" class="hide-narrow">Last activity</th></tr></thead>
          <tbody>
            ${this.endpoints.map(
              (e) => html`<tr>
                <td data-label="Callback URL"><span><span class="mono">${e.url}</span>${e.last_error ? html`<br /><span class="error">${e.last_error}</span>` : nothing}</span></td>
                <td class="num" data-label="Failing">${e.failing}</td><td class="num" data-label="Given up">${e.gave_up}</td><td class="num" data-label="Refused">${e.failed}</td><td class="num" data-label="Waiting">${e.pending}</td><td class="num" data-label="Delivered">${e.delivered}</td>
                <td class="num" data-label="Last activity">${formatTime(e.last_attempt_at_t)}</td>
              </tr>`,
            )}
          </tbody>
        </table>
        ${this.endpoints.length === 0 ? html`<p class="muted">No notifications yet.</p>` : nothing}
      </div>
      <h2>Latest events</h2>
      <form class="filters" @submit=${(e: Event) => e.preventDefault()}>
        <label>State
          <select name="state" @change=${this.filter}>
            ${['', 'pending', 'gave_up', 'failed', 'delivered'].map((s) => html`<option value=${s} ?selected=${s === state}>${s || 'Any state'}</option>`)}
          </select>
        </label>
      </form>
      <div class="card table-wrap" tabindex="0" role="region" aria-label="Latest events">
        <table class="stack">
          <thead><tr><th scope="col">Order</th><th scope="col">Event</th><th scope="col">State</th><th scope="col">Failures in schedule</th><th scope="col" class="hide-narrow">Last error</th><th scope="col">Updated</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
          <tbody>
            ${this.notifications.map(
              (n) => html`<tr>
                <td data-label="Order"><a href="#/orders/${n.order_id}" class="mono" title=${n.order_id}>${shortId(n.order_id)}</a></td>
                <td data-label="Event">${n.previous_status === n.status ? html`settled (${n.status})` : html`${n.previous_status ?? '—'} → ${n.status}`}</td>
                <td data-label="State"><span class="status" data-tone=${toneOfOutcome(n.state)}>${n.state}</span></td>
                <td class="num" data-label="Failures in schedule">${n.attempts_in_schedule}</td>
                <td data-label="Last error">${n.last_error ?? '—'}</td>
                <td class="num" data-label="Updated">${formatIso(n.delivered_at ?? n.next_attempt_at ?? n.created_at)}</td>
                <td data-label="Action"><button class="secondary" type="button" @click=${() => this.resend(n)} aria-label="Resend ${n.status} of order ${n.order_id}">Resend</button></td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
    `;
  }
}
