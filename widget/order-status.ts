import type { PaymentLinks } from './choose-link.ts';

/** Order statuses, in MugglePay's words (contracts §5). */
export type OrderStatusName =
  | 'NEW' | 'PENDING' | 'UNRESOLVED' | 'PAID' | 'FAILED' | 'EXPIRED' | 'CANCELED'
  | 'REFUND_PENDING' | 'REFUNDED' | 'RESOLVED';

/** An order as `GET /v1/orders/{id}/status` and the events stream describe it. */
export interface OrderStatus {
  order_id: string;
  status: OrderStatusName;
  title?: string;
  price_amount: string;
  price_currency: string;
  pay_amount: string | null;
  pay_currency: string | null;
  /** What is still owed after an underpayment (UNRESOLVED), a decimal string in `pay_currency`. */
  amount_due: string | null;
  /** The merchant's name, when the server is configured with one (optional in the answer). */
  payee_name: string | null;
  failure_reason: string | null;
  expires_at: string;
  /** Expiry in Unix milliseconds. */
  expires_at_t: number;
  updated_at: string;
  /** Grows with every change; an answer with a lower version is stale. */
  version: number;
  links: PaymentLinks;
  /** While pending: confirmations so far of the `required_confirms` the network needs; else null. */
  confirmations: number | null;
  required_confirms: number | null;
  /** The transactions that paid; `explorer_url` only when it is an http(s) URL. */
  transactions: Array<{ txid: string; explorer_url: string | null }>;
}

const FINAL: ReadonlySet<OrderStatusName> = new Set(['PAID', 'FAILED', 'EXPIRED', 'CANCELED', 'REFUNDED', 'RESOLVED']);
const KNOWN: ReadonlySet<string> = new Set([...FINAL, 'NEW', 'PENDING', 'UNRESOLVED', 'REFUND_PENDING']);

/** True for statuses after which nothing changes for the customer. */
export function isFinalStatus(status: OrderStatusName): boolean {
  return FINAL.has(status);
}

/** Thrown when the server's answer does not have the shape of the contract. */
export class BadResponseError extends Error {
  override name = 'BadResponseError';
}

/** Checks a status document from the server and returns it typed; throws BadResponseError. */
export function parseOrderStatus(value: unknown): OrderStatus {
  const doc = (value ?? {}) as Record<string, unknown>;
  for (const key of ['order_id', 'status', 'price_amount', 'price_currency']) {
    if (typeof doc[key] !== 'string') throw new BadResponseError(`no ${key}`);
  }
  if (!KNOWN.has(doc['status'] as string)) throw new BadResponseError(`status ${String(doc['status'])}`);
  if (typeof doc['version'] !== 'number') throw new BadResponseError('no version');
  const expires = doc['expires_at_t'] ?? Date.parse(String(doc['expires_at']));
  return {
    ...(doc as unknown as OrderStatus),
    // "" and missing both mean none; amounts stay strings
    amount_due: doc['amount_due'] ? String(doc['amount_due']) : null,
    failure_reason: doc['failure_reason'] ? String(doc['failure_reason']) : null,
    payee_name: typeof doc['payee_name'] === 'string' && doc['payee_name'].trim() ? doc['payee_name'].trim() : null,
    expires_at_t: Number(expires) > 0 ? Number(expires) : 0,
    links: parseLinks(doc['links']),
    // Checked further where they are shown (session-view.ts): a count that is not one shows
    // nothing, and a link only when it is http(s).
    transactions: Array.isArray(doc['transactions']) ? doc['transactions'].filter((tx) => typeof tx?.txid == 'string') : [],
  };
}

/** Checks a `links` object; missing links become empty strings, as the server sends them. */
export function parseLinks(value: unknown): PaymentLinks {
  if (typeof value !== 'object' || value === null) throw new BadResponseError('no links');
  const links = value as Record<string, unknown>;
  const text = (key: string): string => (typeof links[key] === 'string' ? (links[key] as string) : '');
  return { checkout_url: text('checkout_url'), universal_url: text('universal_url'), deep_link: text('deep_link') };
}
