/** Small helpers shared by the merchant suites: create an order, play the customer, read the history. */
import assert from 'node:assert/strict';
import type { Store } from '../../server/store/db.ts';
import type { PaymentResult, PaymentResultQuery } from '../../server/mixpay/types.ts';
import { MixPayApiError } from '../../server/mixpay/errors.ts';
import { eventually, TEST_API_KEY, type Stack } from './stack.ts';

export const jsonPost = (body: unknown, headers: Record<string, string> = { token: TEST_API_KEY }) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export async function createOrder(stack: Stack, body: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${stack.url}/v1/orders`, jsonPost({ price_amount: '10.50', price_currency: 'USD', title: 'Test', ...body }));
  // MugglePay's shape: HTTP 200, "status": 201 in the body.
  assert.equal(response.status, 200, await response.clone().text());
  return response.json();
}

export function codeOf(created: any): string {
  return created.links.checkout_url.split('/code/')[1];
}

export async function simulate(stack: Stack, code: string, body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${stack.url}/sandbox/mixpay/payments/${code}/simulate`, jsonPost(body, {}));
  assert.equal(response.status, 200, await response.clone().text());
}

export async function historyOf(store: Store, id: string) {
  return store.db.selectFrom('order_events').selectAll().where('order_id', '=', id).orderBy('created_at').orderBy('id').execute();
}

export async function statusOf(store: Store, id: string) {
  return (await store.db.selectFrom('orders').select('status').where('id', '=', id).executeTakeFirst())?.status;
}

export async function waitForStatus(store: Store, id: string, status: string, timeoutMs = 5000) {
  return eventually(async () => {
    const row = await store.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    return row?.status === status && row;
  }, timeoutMs, `order ${id} ${status}`);
}

/** Waits until the sandbox delivered `count` callbacks for `code` that our server acknowledged. */
export async function callbacksAcknowledged(stack: Stack, code: string, count = 1, event?: string) {
  await eventually(async () => {
    const response = await fetch(`${stack.url}/sandbox/mixpay/payments/${code}/callbacks`);
    const body = (await response.json()) as any;
    const deliveries: any[] = body.data.deliveries;
    return deliveries.filter((d) => d.status === 'acknowledged' && (!event || d.event === event)).length >= count;
  }, 5000, `${count} acknowledged callbacks for ${code}`);
}

/**
 * A stand-in for MixPay's result API that answers from a script: a function of the query, or an
 * error to throw. Counts calls. Used where the order of news matters more than the transport.
 */
export class ScriptedMixPay {
  calls = 0;
  constructor(public answer: (query: PaymentResultQuery) => PaymentResult | Error) {}
  async getPaymentResult(query: PaymentResultQuery): Promise<PaymentResult> {
    this.calls += 1;
    const value = this.answer(query);
    if (value instanceof Error) throw value;
    return value;
  }
  async createOneTimePayment(): Promise<{ code: string }> {
    throw new MixPayApiError(1017, 'scripted client mints no links', 400);
  }
}

/** A payments_result for `order` in the given state, matching its payee, amount and asset. */
export function resultFor(order: { payee_id: string; price_amount: string; quote_asset_id: string; mixpay_order_id: string }, fields: Partial<PaymentResult>): PaymentResult {
  return {
    status: 'unpaid',
    quoteAmount: order.price_amount,
    quoteSymbol: 'USD',
    quoteAssetId: order.quote_asset_id,
    paymentAmount: '',
    paymentSymbol: '',
    paymentAssetId: '',
    payee: 'payee',
    payeeId: order.payee_id,
    payeeMixinNumber: '7000000000',
    txid: '',
    blockExplorerUrl: '',
    date: 0,
    surplusAmount: '',
    surplusStatus: 'no',
    confirmations: -1,
    payableAmount: '',
    payableAssetId: '',
    failureCode: '0',
    failureReason: '',
    returnTo: '',
    traceId: `trace-${order.mixpay_order_id}`,
    settleStatus: '',
    settleAmount: '',
    settleSymbol: '',
    settleAsset: '',
    ...fields,
  };
}
