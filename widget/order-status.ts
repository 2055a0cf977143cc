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
  /** What is still owed after an underpayment (UNRESOLVED), as a decimal string. */
  amount_due: string | null;
  failure_reason: string | null;
  expires_at: string;
  /** Expiry in Unix milliseconds. */
  expires_at_t: number;
  updated_at: string;
  /** Grows with every change; an answer with a lower version is stale. */
  version: number;
  links: PaymentLinks;
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
  const doc = record(value, 'status');
  const status = text(doc, 'status');
  if (!KNOWN.has(status)) throw new BadResponseError(`unknown order status ${JSON.stringify(status)}`);
  const version = doc['version'];
  if (typeof version !== 'number' || !Number.isFinite(version)) throw new BadResponseError('status without a numeric version');
  return {
    order_id: text(doc, 'order_id'),
    status: status as OrderStatusName,
    ...(typeof doc['title'] === 'string' ? { title: doc['title'] } : {}),
    price_amount: text(doc, 'price_amount'),
    price_currency: text(doc, 'price_currency'),
    pay_amount: optionalText(doc, 'pay_amount'),
    pay_currency: optionalText(doc, 'pay_currency'),
    amount_due: optionalText(doc, 'amount_due'),
    failure_reason: optionalText(doc, 'failure_reason'),
    expires_at: optionalText(doc, 'expires_at') ?? '',
    expires_at_t: expiry(doc),
    updated_at: optionalText(doc, 'updated_at') ?? '',
    version,
    links: parseLinks(doc['links']),
  };
}

/** Checks a `links` object; missing links become empty strings, as the server sends them. */
export function parseLinks(value: unknown): PaymentLinks {
  const links = record(value, 'links');
  return {
    checkout_url: optionalText(links, 'checkout_url') ?? '',
    universal_url: optionalText(links, 'universal_url') ?? '',
    deep_link: optionalText(links, 'deep_link') ?? '',
  };
}

function expiry(doc: Record<string, unknown>): number {
  const ms = doc['expires_at_t'];
  if (typeof ms === 'number' && Number.isFinite(ms)) return ms;
  const parsed = Date.parse(String(doc['expires_at'] ?? ''));
  return Number.isFinite(parsed) ? parsed : 0;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadResponseError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function text(doc: Record<string, unknown>, key: string): string {
  const value = doc[key];
  if (typeof value !== 'string') throw new BadResponseError(`${key} is missing`);
  return value;
}

function optionalText(doc: Record<string, unknown>, key: string): string | null {
  const value = doc[key];
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'string' && typeof value !== 'number') throw new BadResponseError(`${key} is not a string`);
  return String(value);
}
