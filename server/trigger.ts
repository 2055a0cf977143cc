/**
 * `mixpay-checkout trigger <outcome>`: plays the customer against a running server's sandbox, as
 * `stripe trigger` does, so a merchant sees their own backend react to a payment without a wallet.
 * It speaks only HTTP (the public checkout, the order status, the sandbox's simulate API), so it
 * works against any server that mounts the sandbox, on this machine or another.
 */

/** What the command can make happen; the tampered ones are a paid, edited plain link (seed 003). */
export const TRIGGER_OUTCOMES = ['success', 'fail', 'pending', 'confirm', 'paid_less', 'expire', 'tampered_amount', 'tampered_asset', 'tampered_payee'] as const;
export type TriggerOutcome = (typeof TRIGGER_OUTCOMES)[number];

/** An asset and a payee that are never the configured ones: BTC on Mixin, and a made-up user. */
const OTHER_ASSET_ID = 'c6d0c728-2624-429b-8e0d-d9d19b6592fa';
const OTHER_PAYEE_ID = '00000000-0000-4000-8000-00000000dead';

/** The simulate request body for an outcome (the sandbox's `POST /payments/{code}/simulate`). */
export function simulateBody(outcome: TriggerOutcome): Record<string, string> {
  switch (outcome) {
    case 'tampered_amount':
      return { outcome: 'success', quoteAmount: '0.01' };
    case 'tampered_asset':
      return { outcome: 'success', quoteAssetId: OTHER_ASSET_ID };
    case 'tampered_payee':
      return { outcome: 'success', payeeId: OTHER_PAYEE_ID };
    default:
      return { outcome };
  }
}

export interface TriggerOptions {
  outcome: TriggerOutcome;
  server: string;
  order?: string;
  product?: string;
  merchantApiKey?: string | undefined;
  /** How long to wait for the server to take the callback in, in milliseconds. */
  waitMs: number;
  say: (line: string) => void;
}

/** Thrown when the server answers something the command cannot go on from; the message says why. */
export class TriggerError extends Error {}

interface OrderStatusDoc {
  order_id: string;
  status: string;
  version: number;
  pay_amount: string | null;
  pay_currency: string | null;
  amount_due: string | null;
  failure_reason: string | null;
  confirmations?: number | null;
  required_confirms?: number | null;
  links: { checkout_url: string };
}

/** Runs one trigger; resolves to the order's status document after the server took the callback in. */
export async function runTrigger(options: TriggerOptions): Promise<OrderStatusDoc> {
  const server = options.server.replace(/\/+$/, '');
  const { say } = options;
  let orderId: string;
  let code: string;
  if (options.product) {
    const created = await call<{ order: { order_id: string }; links: { checkout_url: string } }>(`${server}/v1/checkout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product: options.product }),
    });
    orderId = created.order.order_id;
    code = linkCodeOf(created.links.checkout_url);
    say(`created order ${orderId} for product "${options.product}" (link ${code})`);
  } else if (options.order) {
    orderId = options.order;
    code = await linkCodeOfOrder(server, orderId, options.merchantApiKey);
  } else {
    throw new TriggerError('trigger needs --order <id> or --product <id>');
  }

  const before = await statusOf(server, orderId);
  const deliveriesBefore = (await callbacksOf(server, code)).length;
  await call(`${server}/sandbox/mixpay/payments/${encodeURIComponent(code)}/simulate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(simulateBody(options.outcome)),
  });
  say(`sandbox: ${options.outcome} on link ${code}`);

  // The sandbox calls the server back in the background; wait until the server answered that
  // callback (or the status moved), so what is printed is the order after the event.
  const deadline = Date.now() + options.waitMs;
  let after = before;
  for (;;) {
    after = await statusOf(server, orderId);
    if (after.version !== before.version) break;
    const deliveries = await callbacksOf(server, code);
    if (deliveries.slice(deliveriesBefore).some((d) => d.attempts.length > 0)) {
      after = await statusOf(server, orderId);
      break;
    }
    if (Date.now() >= deadline) {
      say(`the server took no callback in within ${Math.round(options.waitMs / 1000)} s (is the sandbox's callback URL this server?)`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const paid = after.pay_amount ? `; paid ${after.pay_amount} ${after.pay_currency ?? ''}`.trimEnd() : '';
  const due = after.amount_due && after.amount_due !== '0' ? `; due ${after.amount_due}` : '';
  const reason = after.failure_reason ? `; ${after.failure_reason}` : '';
  const confirms = after.status === 'PENDING' && after.required_confirms ? `; ${after.confirmations ?? 0} of ${after.required_confirms} confirmations` : '';
  say(`order ${orderId}: ${before.status} → ${after.status}${paid}${due}${reason}${confirms}`);
  return after;
}

/** The one-time link's code from its checkout URL, `<MIXPAY_PAY_BASE>/code/<code>`. */
function linkCodeOf(checkoutUrl: string | undefined): string {
  const code = checkoutUrl?.match(/\/code\/([^/?#]+)/)?.[1];
  if (!code) throw new TriggerError(`the order has no one-time link to pay (checkout_url "${checkoutUrl ?? ''}")`);
  return decodeURIComponent(code);
}

/** With the merchant key, the merchant API's invoice; without it, the public status's link. */
async function linkCodeOfOrder(server: string, orderId: string, key: string | undefined): Promise<string> {
  if (key) {
    const answer = await call<{ invoice?: { invoice_id?: string | null } }>(`${server}/v1/orders/${encodeURIComponent(orderId)}`, { headers: { token: key } });
    if (answer.invoice?.invoice_id) return answer.invoice.invoice_id;
  }
  return linkCodeOf((await statusOf(server, orderId)).links?.checkout_url);
}

function statusOf(server: string, orderId: string): Promise<OrderStatusDoc> {
  return call<OrderStatusDoc>(`${server}/v1/orders/${encodeURIComponent(orderId)}/status`);
}

async function callbacksOf(server: string, code: string): Promise<Array<{ attempts: unknown[] }>> {
  const answer = await call<{ data: { deliveries: Array<{ attempts: unknown[] }> } }>(`${server}/sandbox/mixpay/payments/${encodeURIComponent(code)}/callbacks`);
  return answer.data.deliveries;
}

async function call<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new TriggerError(`cannot reach ${new URL(url).origin} (${(error as Error).cause ?? (error as Error).message}); start it with \`mixpay-checkout dev\` or pass --server`);
  }
  const text = await response.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const path = new URL(url).pathname;
  if (response.status === 404 && path.startsWith('/sandbox/')) {
    throw new TriggerError(`${path}: 404 — the server has no sandbox mounted (MIXPAY_SANDBOX), or the link is not the sandbox's`);
  }
  // MugglePay's envelope ({status, error}) or MixPay's ({success, message}).
  if (!response.ok || body?.success === false) {
    const why = body?.error ?? body?.message ?? text.slice(0, 200);
    throw new TriggerError(`${init.method ?? 'GET'} ${path}: ${response.status} ${why}`);
  }
  return body as T;
}
