import { html, LitElement, nothing } from 'lit';
import type { AdminClient } from './admin-client.ts';
import { adminStyles } from './admin.styles.ts';
import { formatAmount, formatDuration, formatIso, formatTime } from './format.ts';
import { failureMessage } from './mixpay-admin.ts';
import { PollController } from './poll-controller.ts';
import { toneOfOutcome, toneOfStatus } from './status-tone.ts';
import type { AdminNotification, OrderAction, OrderDetail, TimelineEntry } from './types.ts';

const ACTION_LABELS: Record<OrderAction, { title: string; button: string; reasonRequired: boolean; reference: boolean }> = {
  cancel: { title: 'Cancel this order', button: 'Cancel order', reasonRequired: false, reference: false },
  resolve: { title: 'Mark resolved', button: 'Mark RESOLVED', reasonRequired: true, reference: false },
  refund_pending: { title: 'Refund under way', button: 'Mark REFUND_PENDING', reasonRequired: true, reference: true },
  refunded: { title: 'Refund made off-band', button: 'Mark REFUNDED', reasonRequired: true, reference: true },
};

const detailOf = (value: unknown): Record<string, unknown> => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});

/** @summary One order: its facts, what may be done to it, its whole timeline and its notifications. */
export class AdminOrder extends LitElement {
  static override styles = adminStyles;

  static override properties = {
    client: { attribute: false },
    orderId: { attribute: false },
    detail: { state: true },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  declare client: AdminClient;
  declare orderId: string;
  declare detail: OrderDetail | null;
  declare error: string;
  declare notice: string;
  declare busy: boolean;

  /** Re-reads the order every 2 s while a notification is still on its way, so new attempts appear. */
  private readonly poll = new PollController(this, (signal) => this.load(signal), 2000, () => this.detail?.notifications.some((n) => n.state === 'pending') ?? true);

  constructor() {
    super();
    this.orderId = '';
    this.detail = null;
    this.error = '';
    this.notice = '';
    this.busy = false;
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('orderId') && changed.get('orderId') !== undefined) void this.poll.run();
  }

  private async load(signal: AbortSignal): Promise<void> {
    if (!this.client || !this.orderId) return;
    try {
      const detail = await this.client.get<OrderDetail>(`/orders/${encodeURIComponent(this.orderId)}`, signal);
      if (signal.aborted) return;
      this.detail = detail;
      this.error = '';
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      this.error = failureMessage(this, error);
    }
  }

  private async act(action: OrderAction, event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    await this.change(`/orders/${encodeURIComponent(this.orderId)}/${action}`, { reason: String(data.get('reason') ?? ''), reference: String(data.get('reference') ?? '') }, `${ACTION_LABELS[action].title}: done.`);
  }

  private async resend(notification: AdminNotification): Promise<void> {
    await this.change(`/notifications/${encodeURIComponent(notification.event_id)}/resend`, {}, `Notification ${notification.status} queued; the new attempt appears below in a moment.`);
  }

  private async change(path: string, body: unknown, notice: string): Promise<void> {
    this.busy = true;
    this.notice = '';
    try {
      await this.client.post(path, body);
      this.notice = notice;
      this.error = '';
    } catch (error) {
      this.error = failureMessage(this, error);
    } finally {
      this.busy = false;
    }
    await this.poll.run();
  }

  override render() {
    const detail = this.detail;
    if (!detail) return html`<p class="error" role="alert">${this.error}</p><p role="status">${this.error ? '' : 'Loading…'}</p>`;
    const o = detail.order;
    return html`
      <p><a href="#/orders">← All orders</a></p>
      <h1>Order <span class="mono">${o.order_id}</span> <span class="status" data-tone=${toneOfStatus(o.status)}>${o.status}</span></h1>
      <p class="error" role="alert">${this.error}</p>
      <p role="status">${this.notice}</p>
      <div class="grid">
        <section class="card" aria-labelledby="facts">
          <h2 id="facts">Facts</h2>
          <dl>
            <dt>Merchant order id</dt><dd>${o.merchant_order_id ?? '—'}</dd>
            <dt>Title</dt><dd>${o.title || '—'}</dd>
            <dt>Price</dt><dd>${formatAmount(o.price_amount, o.price_currency)}</dd>
            <dt>Paid</dt><dd>${formatAmount(o.pay_amount, o.pay_currency)}${o.late_payment ? ' (late payment)' : ''}</dd>
            ${o.amount_due ? html`<dt>Still due</dt><dd>${o.amount_due}</dd>` : nothing}
            ${o.failure_reason ? html`<dt>Failure</dt><dd>${o.failure_reason}</dd>` : nothing}
            <dt>Settlement</dt><dd>${o.settle_status ?? '—'} ${o.settle_amount ? formatAmount(o.settle_amount, o.settle_asset) : ''}</dd>
            <dt>MixPay traceId</dt><dd class="mono">${o.mixpay_trace_id ?? '—'}</dd>
            <dt>Link code</dt><dd class="mono">${o.mixpay_code ?? '—'}</dd>
            <dt>Created</dt><dd>${formatIso(o.created_at)}</dd>
            <dt>Link expires</dt><dd>${formatIso(o.expires_at)}</dd>
            <dt>Reconciliation</dt><dd>${o.reconcile.check_count > 0 ? `${o.reconcile.check_count} checks, last ${formatIso(o.reconcile.last_checked_at)}` : 'no check yet'}; next ${o.reconcile.next_check_at ? formatIso(o.reconcile.next_check_at) : 'none'}</dd>
            <dt>Callback URL</dt><dd class="mono">${o.callback_url ?? 'none (no notifications)'}</dd>
          </dl>
        </section>
        <section class="card" aria-labelledby="actions">
          <h2 id="actions">Actions</h2>
          ${detail.actions.length === 0 ? html`<p class="muted">Nothing to do by hand in ${o.status}.</p>` : nothing}
          <div class="actions">${detail.actions.map((action) => this.renderAction(action))}</div>
        </section>
      </div>
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline</h2>
        <ol class="timeline card">${detail.timeline.map((entry) => this.renderEntry(entry))}</ol>
      </section>
      <section aria-labelledby="notifications">
        <h2 id="notifications">Notifications</h2>
        ${detail.notifications.length === 0 ? html`<p class="muted">None: ${o.callback_url ? 'no status change yet' : 'the order has no callback_url'}.</p>` : nothing}
        ${detail.notifications.map((n) => this.renderNotification(n))}
      </section>
    `;
  }

  private renderAction(action: OrderAction) {
    const label = ACTION_LABELS[action];
    const id = `action-${action}`;
    return html`<form @submit=${(event: SubmitEvent) => this.act(action, event)} aria-labelledby=${id}>
      <strong id=${id}>${label.title}</strong>
      <label>Reason${label.reasonRequired ? '' : ' (optional)'}
        <textarea name="reason" rows="2" maxlength="500" ?required=${label.reasonRequired}></textarea>
      </label>
      ${label.reference ? html`<label>Reference (transfer or ticket, optional)<input name="reference" maxlength="200" /></label>` : nothing}
      <button class=${action === 'cancel' ? 'danger' : 'primary'} type="submit" ?disabled=${this.busy}>${label.button}</button>
    </form>`;
  }

  private renderEntry(entry: TimelineEntry) {
    const when = html`<span class="when">${formatTime(entry.at_t)}</span>`;
    switch (entry.kind) {
      case 'created':
        return html`<li>${when}Order created (<strong>NEW</strong>)</li>`;
      case 'status': {
        const d = detailOf(entry.detail);
        return html`<li data-tone=${toneOfStatus(entry.to)}>
          ${when}<strong>${entry.from ?? '—'} → ${entry.to}</strong>
          by ${entry.source}${entry.verdict ? html` (verdict <code>${entry.verdict}</code>)` : nothing}
          ${d.by ? html`<br /><span>${String(d.by)}${d.reason ? html`: “${String(d.reason)}”` : nothing}${d.reference ? html` · ref ${String(d.reference)}` : nothing}</span>` : nothing}
          ${d.error ? html`<br /><span class="muted">${String(d.error)}</span>` : nothing}
          <span class="muted mono"> ${entry.reason}</span>
        </li>`;
      }
      case 'check': {
        const d = detailOf(entry.detail);
        const mismatch = entry.mismatch_field;
        return html`<li data-tone=${mismatch ? 'bad' : 'plain'}>
          ${when}${mismatch
            ? html`<strong>${entry.source} check refused:</strong> <code>${mismatch}</code> is <code>${String(d.actual ?? '?')}</code>, expected <code>${String(d.expected ?? '?')}</code> (nothing applied)`
            : html`<strong>${entry.source}</strong> ${entry.verdict ? html`verdict <code>${entry.verdict}</code>` : nothing} <span class="mono">${entry.reason}</span>; status stays ${entry.status}`}
        </li>`;
      }
      case 'notification':
        return html`<li data-tone=${toneOfOutcome(entry.outcome)}>
          ${when}Notification <strong>${entry.event_status}</strong> attempt ${entry.attempt} (${entry.trigger}):
          ${entry.http_status ?? 'no answer'} ${entry.outcome} in ${formatDuration(entry.duration_ms)}
        </li>`;
    }
  }

  private renderNotification(n: AdminNotification) {
    return html`<div class="card spaced">
      <div class="row">
        <strong>${n.previous_status ?? '—'} → ${n.status}</strong>
        <span class="status" data-tone=${toneOfOutcome(n.state)}>${n.state}</span>
        <span class="muted mono">${n.event_id}</span>
        <button class="secondary" type="button" ?disabled=${this.busy} @click=${() => this.resend(n)} aria-label="Resend notification ${n.status} ${n.event_id}">Resend</button>
      </div>
      <p class="muted">To <span class="mono">${n.url}</span>${n.next_attempt_at && n.state === 'pending' ? html`; next attempt ${formatIso(n.next_attempt_at)}` : nothing}${n.last_error ? html`; last error: ${n.last_error}` : nothing}</p>
      <div class="table-wrap" tabindex="0" role="region" aria-label="Attempts of ${n.status} ${n.event_id}">
        <table>
          <thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">Trigger</th><th scope="col">HTTP</th><th scope="col">Outcome</th><th scope="col">Latency</th></tr></thead>
          <tbody>
            ${(n.attempts ?? []).map(
              (a) => html`<tr data-attempt=${a.attempt}><td class="num">${a.attempt}</td><td class="num">${formatIso(a.at)}</td><td>${a.trigger}</td><td class="num">${a.http_status ?? '—'}</td><td>${a.outcome}</td><td class="num">${formatDuration(a.duration_ms)}</td></tr>`,
            )}
          </tbody>
        </table>
      </div>
    </div>`;
  }
}
