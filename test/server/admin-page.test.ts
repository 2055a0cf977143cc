/**
 * The admin page's server side on both backends: sign-in into an HttpOnly SameSite=Strict
 * cookie, wrong keys and missing CSRF tokens refused, sign-out ending the session, keyset pages,
 * search by our id / merchant order id / traceId, the timeline, and operator actions that go
 * through the order state machine and name who did them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { backends } from '../support/stores.ts';
import { stackPerSuite } from '../support/stack.ts';
import { codeOf, createOrder, simulate, waitForStatus } from '../support/merchant.ts';
import { buildTimeline, readReason } from '../../server/admin/timeline.ts';
import { decodeCursor, encodeCursor, orderSearchQuery } from '../../server/admin/order-search.ts';
import { actionsFor } from '../../server/admin/order-actions.ts';
import { isLoopbackHost } from '../../server/admin/session.ts';
import { listen } from '../support/http.ts';
import { assertReadsIndexInOrder } from '../support/query-plan.ts';
import { eventually } from '../support/stack.ts';
import { NotificationDelivery } from '../../server/merchant/workers/notification-delivery.ts';

const ADMIN_KEY = 'admin-key-0123456789abcdef';

test('timeline, cursors and actions are pure rules', () => {
  assert.deepEqual(readReason('mismatch:payeeId', { trigger: 'callback' }), { source: 'callback', verdict: 'mismatch', mismatchField: 'payeeId' });
  assert.deepEqual(readReason('reconcile:pending:late', null), { source: 'reconcile', verdict: 'pending', mismatchField: null });
  assert.deepEqual(readReason('admin:cancel', null), { source: 'admin', verdict: null, mismatchField: null });
  const entries = buildTimeline(1, [{ at_t: 5, from: 'NEW', to: 'PAID', reason: 'callback:paid', detail: null }], [
    { event_id: 'e', event_status: 'PAID', attempt: 1, trigger: 'schedule', at_t: 6, duration_ms: 12, http_status: 500, outcome: 'rejected', detail: null },
  ]);
  assert.deepEqual(entries.map((e) => e.kind), ['created', 'status', 'notification']);
  // Two changes in one millisecond, returned out of order by the history's random ids.
  const sameInstant = buildTimeline(1, [
    { at_t: 7, from: 'REFUND_PENDING', to: 'REFUNDED', reason: 'admin:refunded', detail: null },
    { at_t: 7, from: 'PAID', to: 'REFUND_PENDING', reason: 'admin:refunded', detail: null },
  ], []);
  assert.deepEqual(sameInstant.filter((e) => e.kind === 'status').map((e: any) => e.to), ['REFUND_PENDING', 'REFUNDED']);
  const id = randomUUID();
  assert.deepEqual(decodeCursor(encodeCursor({ created_at: 1700000000000, id })), { createdAt: 1700000000000, id });
  assert.equal(decodeCursor('1.not-a-uuid'), null);
  assert.deepEqual(actionsFor('NEW'), ['cancel']);
  assert.deepEqual(actionsFor('PAID'), ['refund_pending', 'refunded']);
  assert.deepEqual(actionsFor('REFUND_PENDING'), ['refunded']);
  assert.deepEqual(actionsFor('UNRESOLVED'), ['resolve']);
  assert.deepEqual(actionsFor('REFUNDED'), []);
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('[::1]'), true);
  assert.equal(isLoopbackHost('shop.example'), false);
});

for (const backend of await backends()) {
  describe(`admin page on ${backend.name}`, () => {
    const suite = stackPerSuite(backend, { ADMIN_API_KEY: ADMIN_KEY });

    const signIn = (key: string, headers: Record<string, string> = {}) =>
      fetch(`${suite.stack.url}/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: suite.stack.url, ...headers },
        body: JSON.stringify({ key, operator: 'Ada' }),
      });

    async function session() {
      const response = await signIn(ADMIN_KEY);
      assert.equal(response.status, 200);
      const cookie = response.headers.get('set-cookie')!;
      const { csrf_token } = (await response.json()) as any;
      return { cookie: cookie.split(';')[0]!, csrf: csrf_token as string, setCookie: cookie };
    }

    const api = (path: string, s: { cookie: string; csrf?: string }, init: { method?: string; body?: unknown; csrf?: boolean } = {}) =>
      fetch(`${suite.stack.url}/admin/api${path}`, {
        method: init.method ?? 'GET',
        headers: {
          cookie: s.cookie,
          origin: suite.stack.url,
          'content-type': 'application/json',
          ...(init.csrf === false || !s.csrf ? {} : { 'x-csrf-token': s.csrf }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });

    test('the page is served under a strict CSP with no inline script', async () => {
      const response = await fetch(`${suite.stack.url}/admin`);
      assert.equal(response.status, 200);
      const csp = response.headers.get('content-security-policy')!;
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      const html = await response.text();
      assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, 'no inline script');
    });

    test('sign-in sets an HttpOnly SameSite=Strict cookie with an expiry; wrong keys are refused', async () => {
      for (const key of ['wrong-key-0000000000000', 'test-merchant-key', '']) {
        const response = await signIn(key);
        assert.equal(response.status, 401, key);
        assert.equal(response.headers.get('set-cookie'), null);
      }
      // Another site's page cannot sign someone in (login CSRF).
      assert.equal((await signIn(ADMIN_KEY, { origin: 'https://evil.example' })).status, 403);
      const s = await session();
      assert.match(s.setCookie, /HttpOnly/);
      assert.match(s.setCookie, /SameSite=Strict/);
      assert.match(s.setCookie, /Max-Age=28800/);
      assert.match(s.setCookie, /Path=\/admin/);
      // Loopback is plain HTTP in development; anywhere else the cookie is Secure.
      assert.doesNotMatch(s.setCookie, /Secure/);
      const remote = await suite.stack.app.request('https://pay.shop.example/admin/session', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://pay.shop.example' },
        body: JSON.stringify({ key: ADMIN_KEY, operator: 'Ada' }),
      });
      assert.equal(remote.status, 200);
      assert.match(remote.headers.get('set-cookie') ?? '', /; Secure/);
      assert.equal((await api('/session', s)).status, 200);
      assert.equal((await api('/session', { cookie: 'mixpay_admin_session=forged' })).status, 401);
      // The x-admin-key API is unchanged and does not take the cookie.
      assert.equal((await fetch(`${suite.stack.url}/admin/v1/orders`, { headers: { cookie: s.cookie } })).status, 401);
      assert.equal((await fetch(`${suite.stack.url}/admin/v1/orders`, { headers: { 'x-admin-key': ADMIN_KEY } })).status, 200);
    });

    test('every change needs the CSRF token; sign-out ends the session', async () => {
      const s = await session();
      const created = await createOrder(suite.stack, { merchant_order_id: `csrf-${backend.name}` });
      const id = created.order.order_id;
      const refused = await api(`/orders/${id}/cancel`, s, { method: 'POST', body: {}, csrf: false });
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as any).error_code, 'CSRF_TOKEN_INVALID');
      const wrong = await api(`/orders/${id}/cancel`, { cookie: s.cookie, csrf: 'x'.repeat(43) }, { method: 'POST', body: {} });
      assert.equal(wrong.status, 403);
      const otherOrigin = await fetch(`${suite.stack.url}/admin/api/orders/${id}/cancel`, {
        method: 'POST',
        headers: { cookie: s.cookie, origin: 'https://evil.example', 'x-csrf-token': s.csrf, 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(otherOrigin.status, 403);
      assert.equal((await waitForStatus(suite.store, id, 'NEW')).status, 'NEW', 'nothing changed');

      assert.equal((await fetch(`${suite.stack.url}/admin/session/sign-out`, { method: 'POST', headers: { cookie: s.cookie, origin: suite.stack.url } })).status, 403);
      const out = await fetch(`${suite.stack.url}/admin/session/sign-out`, { method: 'POST', headers: { cookie: s.cookie, origin: suite.stack.url, 'x-csrf-token': s.csrf } });
      assert.equal(out.status, 200);
      assert.match(out.headers.get('set-cookie') ?? '', /Max-Age=0/);
      assert.equal((await api('/session', s)).status, 401, 'the old cookie no longer opens anything');
    });

    test('finds orders by our id, merchant order id and traceId; keyset pages do not overlap', async () => {
      const s = await session();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createOrder(suite.stack, { merchant_order_id: `page-${backend.name}-${i}` })).order.order_id);
      const paid = await createOrder(suite.stack, { merchant_order_id: `find-me-${backend.name}` });
      await simulate(suite.stack, codeOf(paid), { outcome: 'success' });
      const order = await waitForStatus(suite.store, paid.order.order_id, 'PAID');
      for (const q of [order.id, order.id.toUpperCase(), `find-me-${backend.name}`, order.mixpay_trace_id!]) {
        const found = (await (await api(`/orders?q=${encodeURIComponent(q)}`, s)).json()) as any;
        assert.deepEqual(found.orders.map((o: any) => o.order_id), [order.id], q);
      }
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page = (await (await api(`/orders?limit=2${after ? `&after=${after}` : ''}`, s)).json()) as any;
        assert.ok(page.orders.length <= 2);
        seen.push(...page.orders.map((o: any) => o.order_id));
        after = page.next;
      } while (after);
      assert.equal(new Set(seen).size, seen.length, 'no order on two pages');
      for (const id of [...ids, order.id]) assert.ok(seen.includes(id));
      const onlyPaid = (await (await api('/orders?status=PAID', s)).json()) as any;
      assert.ok(onlyPaid.orders.every((o: any) => o.status === 'PAID'));
      assert.equal((await api('/orders?after=garbage', s)).status, 400);
    });

    test('the broker overview answers from the broker tables', async () => {
      const s = await session();
      assert.equal(((await (await api('/session', s)).json()) as any).broker, false, 'no broker activity: no broker view');
      await suite.store.db.insertInto('broker_balances').values({ asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5', symbol: 'USDT', balance: '100', synced_at: Date.now() }).execute();
      const overview = (await (await api('/broker', s)).json()) as any;
      assert.deepEqual(overview.balances.map((b: any) => [b.symbol, b.balance, b.reserved, b.available]), [['USDT', '100', '0', '100']]);
      assert.deepEqual(overview.attention, []);
      assert.equal(((await (await api('/session', s)).json()) as any).broker, true);
    });

    test('pages read an index in order, never sort the table (fast at 100k orders)', async () => {
      const after = { createdAt: Date.now(), id: randomUUID() };
      for (const search of [{ limit: 25, after: undefined }, { limit: 25, after }, { limit: 25, status: 'PAID' as const, after }]) {
        await assertReadsIndexInOrder(suite.store, backend.name, orderSearchQuery(suite.store.db, search).compile(), /orders_(status_)?created_idx/);
      }
    });

    test('a notification the merchant refused (4xx) shows as failed, with its endpoint, on the notifications page', async () => {
      const s = await session();
      const refusing = await listen(() => new Response('unknown signature', { status: 401 }));
      try {
        const created = await createOrder(suite.stack, { merchant_order_id: `refused-${backend.name}`, callback_url: `${refusing.url}/hook` });
        const id = created.order.order_id;
        await simulate(suite.stack, codeOf(created), { outcome: 'success' });
        await waitForStatus(suite.store, id, 'PAID');
        const sender = new NotificationDelivery({ db: suite.store.db, secrets: ['refused-secret-0123456789'], now: Date.now, log: () => {} });
        await eventually(async () => {
          await sender.runOnce();
          const rows = await suite.store.db.selectFrom('notifications').select('state').where('order_id', '=', id).execute();
          return rows.length > 0 && rows.every((r) => r.state === 'failed');
        }, 5000, 'every event of the order to be refused');
        const page = (await (await api('/notifications?state=failed', s)).json()) as any;
        assert.ok(page.notifications.some((n: any) => n.order_id === id && n.state === 'failed' && /^401/.test(n.last_error)), JSON.stringify(page.notifications));
        const endpoint = page.endpoints.find((e: any) => e.url === `${refusing.url}/hook`);
        assert.ok(endpoint.failed >= 1, JSON.stringify(endpoint));
        assert.equal(page.endpoints[0].url, endpoint.url, 'a refusing endpoint is listed first');
        const detail = (await (await api(`/orders/${id}`, s)).json()) as any;
        assert.ok(detail.notifications.every((n: any) => n.state === 'failed'));
      } finally {
        await refusing.close();
      }
    });

    test('actions go through the state machine and the history names who and why', async () => {
      const s = await session();
      const created = await createOrder(suite.stack, { merchant_order_id: `act-${backend.name}` });
      const id = created.order.order_id;
      // A NEW order can be canceled but not refunded.
      assert.equal((await api(`/orders/${id}/refunded`, s, { method: 'POST', body: { reason: 'x' } })).status, 409);
      const canceled = await api(`/orders/${id}/cancel`, s, { method: 'POST', body: { reason: 'customer asked' } });
      assert.equal(canceled.status, 200);
      assert.equal(((await canceled.json()) as any).order.status, 'CANCELED');

      const paid = await createOrder(suite.stack, { merchant_order_id: `refund-${backend.name}` });
      await simulate(suite.stack, codeOf(paid), { outcome: 'success' });
      await waitForStatus(suite.store, paid.order.order_id, 'PAID');
      const noReason = await api(`/orders/${paid.order.order_id}/refunded`, s, { method: 'POST', body: {} });
      assert.equal(noReason.status, 400);
      const refunded = await api(`/orders/${paid.order.order_id}/refunded`, s, { method: 'POST', body: { reason: 'sent back by hand', reference: 'snapshot 42' } });
      assert.equal(refunded.status, 200, await refunded.clone().text());
      const detail = (await (await api(`/orders/${paid.order.order_id}`, s)).json()) as any;
      assert.equal(detail.order.status, 'REFUNDED');
      const steps = detail.timeline.filter((e: any) => e.kind === 'status').map((e: any) => [e.from, e.to, e.source]);
      // The payment may pass through PENDING first, depending on which callback lands first.
      assert.deepEqual(steps.slice(-2), [['PAID', 'REFUND_PENDING', 'admin'], ['REFUND_PENDING', 'REFUNDED', 'admin']], JSON.stringify(detail.timeline));
      assert.ok(steps.some(([, to, source]: string[]) => to === 'PAID' && source === 'callback'), JSON.stringify(steps));
      const last = detail.timeline.filter((e: any) => e.kind === 'status').at(-1);
      assert.deepEqual(last.detail, { by: 'Ada', via: 'admin page', reason: 'sent back by hand', reference: 'snapshot 42' });
      assert.deepEqual(detail.actions, []);
    });
  });
}
