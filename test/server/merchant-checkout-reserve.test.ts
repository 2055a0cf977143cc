/**
 * The public checkout leaves the budget's reserve to callbacks through `reserving`, an optional
 * capability of any MixPay client: a swapped client is asked too, and one without it is used as it is.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSqliteStore, type TestStore } from '../support/stores.ts';
import { startStack, type Stack } from '../support/stack.ts';
import type { MixPayApi } from '../../server/mixpay/call-budget.ts';

let store: TestStore;
let stack: Stack;
before(async () => {
  store = await createSqliteStore();
  stack = await startStack(store, { MIXPAY_RESERVED_CALLS: '7' });
});
after(async () => {
  await stack.close();
  await store.dispose();
});

const checkout = () => fetch(`${stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product: 'tee' }) });

test('a client that can reserve is asked to leave MIXPAY_RESERVED_CALLS, and the reserving client makes the link', async () => {
  const real = stack.deps.mixpay;
  const asked: number[] = [];
  const used: string[] = [];
  const swapped: MixPayApi = {
    createOneTimePayment: (request) => (used.push('plain'), real.createOneTimePayment(request)),
    getPaymentResult: (query, include) => real.getPaymentResult(query, include),
    reserving(calls) {
      asked.push(calls);
      return { ...swapped, reserving: undefined, createOneTimePayment: (request) => (used.push('reserving'), real.createOneTimePayment(request)) };
    },
  };
  stack.deps.mixpay = swapped;
  try {
    assert.equal((await checkout()).status, 201);
    assert.deepEqual(asked, [7]);
    assert.deepEqual(used, ['reserving']);
  } finally {
    stack.deps.mixpay = real;
  }
});

test('a client without a budget is used as it is', async () => {
  assert.equal(stack.deps.mixpay.reserving, undefined, 'the test stack talks to the sandbox without a budget');
  assert.equal((await checkout()).status, 201);
});
