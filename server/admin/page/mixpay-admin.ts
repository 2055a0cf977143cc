import { html, LitElement, nothing } from 'lit';
import { AdminApiError, AdminClient } from './admin-client.ts';
import { adminStyles } from './admin.styles.ts';

type Route = { view: 'orders'; query: URLSearchParams } | { view: 'order'; id: string } | { view: 'notifications'; query: URLSearchParams } | { view: 'broker' };

/** Reads `#/orders?status=PAID`, `#/orders/<id>`, `#/notifications`, `#/broker`. */
export function routeOf(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'orders' && parts[1]) return { view: 'order', id: decodeURIComponent(parts[1]) };
  if (parts[0] === 'notifications') return { view: 'notifications', query };
  if (parts[0] === 'broker') return { view: 'broker' };
  return { view: 'orders', query };
}

/**
 * @summary The admin page: sign-in, then orders, one order's timeline and actions, and
 * notification endpoints. Everything it shows comes from /admin/api.
 */
export class MixpayAdmin extends LitElement {
  static override styles = adminStyles;

  static override properties = {
    operator: { state: true },
    broker: { state: true },
    checking: { state: true },
    signInError: { state: true },
    busy: { state: true },
    route: { state: true },
  };

  declare operator: string | null;
  declare broker: boolean;
  declare checking: boolean;
  declare signInError: string;
  declare busy: boolean;
  declare route: Route;

  private readonly client = new AdminClient();
  private readonly onHashChange = () => {
    this.route = routeOf(location.hash);
  };

  constructor() {
    super();
    this.operator = null;
    this.broker = false;
    this.checking = true;
    this.signInError = '';
    this.busy = false;
    this.route = routeOf(typeof location === 'undefined' ? '' : location.hash);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    addEventListener('hashchange', this.onHashChange);
    void this.resume();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('hashchange', this.onHashChange);
  }

  /** A session cookie from earlier may still be good: ask before showing the sign-in form. */
  private async resume(): Promise<void> {
    try {
      const session = await this.client.get<{ operator: string; csrf_token: string; broker: boolean }>('/session');
      this.client.csrfToken = session.csrf_token;
      this.broker = session.broker;
      this.operator = session.operator;
    } catch {
      this.operator = null;
    } finally {
      this.checking = false;
    }
  }

  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.signInError = '';
    try {
      await this.client.signIn(String(data.get('key') ?? ''), String(data.get('operator') ?? ''));
      await this.resume();
    } catch (error) {
      this.signInError = error instanceof AdminApiError ? error.message : 'signing in failed';
    } finally {
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    await this.client.signOut().catch(() => {});
    this.operator = null;
  }

  /** A child view met a 401: the session ended (expired or signed out elsewhere). */
  private readonly onSessionEnded = () => {
    this.operator = null;
    this.signInError = 'Your session ended; sign in again.';
  };

  override render() {
    if (this.checking) return html`<main><p role="status">Loading…</p></main>`;
    if (!this.operator) return this.renderSignIn();
    const view = this.route.view;
    return html`
      <header>
        <span class="brand">MixPay checkout · admin</span>
        <nav aria-label="Sections">
          <a href="#/orders" aria-current=${view === 'orders' || view === 'order' ? 'page' : nothing}>Orders</a>
          <a href="#/notifications" aria-current=${view === 'notifications' ? 'page' : nothing}>Notifications</a>
          ${this.broker ? html`<a href="#/broker" aria-current=${view === 'broker' ? 'page' : nothing}>Broker</a>` : nothing}
        </nav>
        <span class="who">Signed in as ${this.operator}</span>
        <button class="secondary" type="button" @click=${this.signOut}>Sign out</button>
      </header>
      <main @mixpay-admin-session-ended=${this.onSessionEnded}>${this.renderView()}</main>
    `;
  }

  private renderView() {
    switch (this.route.view) {
      case 'order':
        return html`<mixpay-admin-order .client=${this.client} .orderId=${this.route.id}></mixpay-admin-order>`;
      case 'broker':
        return html`<mixpay-admin-broker .client=${this.client}></mixpay-admin-broker>`;
      case 'notifications':
        return html`<mixpay-admin-notifications .client=${this.client} .query=${this.route.query}></mixpay-admin-notifications>`;
      default:
        return html`<mixpay-admin-orders .client=${this.client} .query=${this.route.query}></mixpay-admin-orders>`;
    }
  }

  private renderSignIn() {
    return html`
      <main>
        <div class="card signin">
          <h1>Sign in to the admin page</h1>
          <form @submit=${this.signIn}>
            <label>Your name <span class="muted">(written into the history of what you change)</span>
              <input name="operator" autocomplete="name" maxlength="100" required />
            </label>
            <label>Admin key
              <input name="key" type="password" autocomplete="current-password" required />
            </label>
            <p class="error" role="alert">${this.signInError}</p>
            <button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button>
          </form>
          <p class="muted">The key is the server's <code>ADMIN_API_KEY</code>. The session lasts eight hours.</p>
        </div>
      </main>
    `;
  }
}

/** Tells the page shell that a request answered 401. */
export function sessionEnded(from: HTMLElement): void {
  from.dispatchEvent(new CustomEvent('mixpay-admin-session-ended', { bubbles: true, composed: true }));
}

/** Turns a failed request into the message a view shows; 401 signs the page out. */
export function failureMessage(from: HTMLElement, error: unknown): string {
  if (error instanceof AdminApiError && error.status === 401) sessionEnded(from);
  return error instanceof Error ? error.message : String(error);
}
