/** One MugglePay order as the sandbox remembers it, and the create request it came from (contracts §5). */
import Big from 'big.js';

export type MugglePayStatus = 'NEW' | 'PAID' | 'CANCELED' | 'EXPIRED' | 'REFUND_PENDING' | 'REFUNDED';

export interface MugglePaySandboxOrder {
  order_id: string;
  apiKey: string;
  merchant_order_id: string;
  title: string;
  description: string;
  price_amount: string;
  price_currency: string;
  pay_amount: string;
  pay_currency: string;
  status: MugglePayStatus;
  callback_url: string;
  cancel_url: string;
  success_url: string;
  token: string;
  created_at: string;
  created_ms: number;
  updated_at: string;
  callbacks: Array<{ status: number | 'error'; at: number }>;
}

/** The order as the API shows it: without the sandbox's bookkeeping and the merchant's secret. */
export type MugglePayOrderView = Omit<MugglePaySandboxOrder, 'apiKey' | 'token' | 'callbacks' | 'created_ms'>;

export function orderView({ apiKey: _key, token: _token, callbacks: _callbacks, created_ms: _ms, ...order }: MugglePaySandboxOrder): MugglePayOrderView {
  return order;
}

export interface CreateOrderRequest {
  merchant_order_id: string;
  price_amount: string;
  price_currency: string;
  pay_currency: string;
  title: string;
  description: string;
  callback_url: string;
  cancel_url: string;
  success_url: string;
  token: string;
}

const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/**
 * Checks a create body; null when a required field is missing (MugglePay answers
 * PARAMETERS_MISSING). `price_amount` is a number in MugglePay's docs: its exact text is read from
 * the raw body, so "5.05" is not rounded through a float; a string is accepted as well.
 */
export function parseCreateOrder(rawBody: string): CreateOrderRequest | null {
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  const fields = body as Record<string, unknown>;
  const amount = typeof fields.price_amount === 'number' ? rawBody.match(/"price_amount"\s*:\s*([0-9.eE+-]+)/)?.[1] : fields.price_amount;
  if (typeof amount !== 'string' || !AMOUNT.test(amount) || new Big(amount).lte(0) || typeof fields.price_currency !== 'string') return null;
  return {
    merchant_order_id: text(fields.merchant_order_id), price_amount: new Big(amount).toFixed(), price_currency: fields.price_currency,
    pay_currency: text(fields.pay_currency ?? fields.price_currency), title: text(fields.title).slice(0, 200), description: text(fields.description).slice(0, 800),
    callback_url: text(fields.callback_url), cancel_url: text(fields.cancel_url), success_url: text(fields.success_url), token: text(fields.token),
  };
}
