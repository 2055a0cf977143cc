/**
 * What the customer sees beyond the status (issue 9): confirmations `n of m` while pending and the
 * receipt's transactions, from payments_result `with=transactions` (the sandbox answers them only
 * when asked), checked before they are stored; and the order page's "Back to the shop", from the
 * checkout's `return_to` when its origin is one the server names.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../support/stores.ts';
import { startStack, eventually, type Stack, stackPerSuite } from '../support/stack.ts';
import { codeOf, createOrder, resultFor, ScriptedMixPay, simulate } from '../support/merchant.ts';
import { syncOrderWithMixPay } from '../../server/merchant/payment-sync.ts';
import { findOrder } from '../../server/merchant/order-store.ts';
import { confirmationsOf, httpUrlOrNull, transactionsOf } from '../../server/merchant/payment-progress.ts';
import { checkedReturnTo } from '../../server/merchant/create-order.ts';

const statusDoc = async (stack: Stack, id: string): Promise<any> => (await fetch(`${stack.url}/v1/orders/${id}/status`)).json();

for (const backend of await backends()) {
  describe(`payment progress on the status document (${backend.name})`, () => {
    const suite = stackPerSuite(backend);

    test('pending shows confirmations climbing; paid shows the transaction with its explorer link', async () => {
      const created = await createOrder(suite.stack, { price_amount: '3' });
      const id = created.order.order_id;
      const code = codeOf(created);
      const fresh = await statusDoc(suite.stack, id);
      assert.equal(fresh.confirmations, null);
      assert.equal(fresh.required_confirms, null);
      assert.deepEqual(fresh.transactions, []);

      await simulate(suite.stack, code, { outcome: 'pending' });
      const pending = await eventually(async () => {
        const doc = await statusDoc(suite.stack, id);
        return doc.status === 'PENDING' && doc.confirmations !== null && doc;
      }, 5000, 'PENDING with confirmations');
      assert.equal(pending.confirmations, 1);
      assert.equal(pending.required_confirms, 3);

      // Another block: no status change, but the document (and its version) moves.
      await simulate(suite.stack, code, { outcome: 'confirm' });
      const climbed = await eventually(async () => {
        const doc = await statusDoc(suite.stack, id);
        return doc.confirmations === 2 && doc;
      }, 5000, '2 of 3 confirmations');
      assert.equal(climbed.status, 'PENDING');
      assert.ok(climbed.version > pending.version);

      await simulate(suite.stack, code, { outcome: 'confirm' });
      const paid = await eventually(async () => {
        const doc = await statusDoc(suite.stack, id);
        return doc.status === 'PAID' && doc;
      }, 5000, 'PAID');
      assert.equal(paid.confirmations, null, 'confirmations only while pending');
      assert.equal(paid.transactions.length, 1);
      assert.match(paid.transactions[0].txid, /^\S+$/);
      assert.equal(paid.transactions[0].explorer_url, `https://viewblock.io/mixin/tx/${paid.transactions[0].txid}`);
    });

    test('an upstream explorer link that is not http(s) is never stored; a txid that is not text is dropped', async () => {
      const created = await createOrder(suite.stack, { price_amount: '5' });
      const order = (await findOrder(suite.store.db, created.order.order_id))!;
      const transactions = [
        { paymentAmount: '2', paymentAssetId: 'a', requiredConfirms: 6, confirmations: 6, txid: 'tx-one', blockExplorerUrl: 'javascript:alert(1)', broadcastAt: 1, confirmSeconds: 1 },
        { paymentAmount: '3', paymentAssetId: 'a', requiredConfirms: 6, confirmations: 2, txid: 'tx-two', blockExplorerUrl: 'https://explorer.example/tx/two', broadcastAt: 2, confirmSeconds: 0 },
        { paymentAmount: '0', paymentAssetId: 'a', requiredConfirms: 6, confirmations: 0, txid: '<img src=x>' as string, blockExplorerUrl: 'data:text/html,x', broadcastAt: 3, confirmSeconds: 0 },
      ];
      const script = new ScriptedMixPay(() => resultFor(order, { status: 'pending', paymentAmount: '5', paymentSymbol: 'USDT', confirmations: 2, transactions }));
      const outcome = await syncOrderWithMixPay({ store: suite.store, mixpay: script as any, now: () => Date.now() }, order, 'test');
      assert.equal(outcome.kind, 'changed');
      const doc = await statusDoc(suite.stack, order.id);
      assert.equal(doc.status, 'PENDING');
      assert.deepEqual([doc.confirmations, doc.required_confirms], [2, 6], 'the transaction still confirming');
      assert.deepEqual(doc.transactions, [
        { txid: 'tx-one', explorer_url: null },
        { txid: 'tx-two', explorer_url: 'https://explorer.example/tx/two' },
      ]);
      // The same news again changes nothing (no new version for the streams).
      const again = await syncOrderWithMixPay({ store: suite.store, mixpay: script as any, now: () => Date.now() }, (await findOrder(suite.store.db, order.id))!, 'test');
      assert.equal(again.kind, 'unchanged');
    });
  });
}

describe('payment progress, pure', () => {
  test('httpUrlOrNull keeps http(s) URLs only', () => {
    assert.equal(httpUrlOrNull('https://x.example/tx/1'), 'https://x.example/tx/1');
    assert.equal(httpUrlOrNull('http://x.example/a'), 'http://x.example/a');
    for (const bad of ['javascript:alert(1)', 'data:text/html,x', '//x.example', 'https://user:pw@x.example/', '', 42, null, `https://x.example/${'a'.repeat(2000)}`]) {
      assert.equal(httpUrlOrNull(bad), null, String(bad).slice(0, 40));
    }
  });

  test('no n of m without a transaction list, and none once the result is not pending', () => {
    const base = resultFor({ payee_id: 'p', price_amount: '1', quote_asset_id: 'usd', mixpay_order_id: 'o' }, { status: 'pending', confirmations: 2 });
    assert.equal(confirmationsOf(base), null);
    const tx = { paymentAmount: '1', paymentAssetId: 'a', requiredConfirms: 3, confirmations: 3, txid: 't', blockExplorerUrl: '', broadcastAt: 0, confirmSeconds: 0 };
    assert.deepEqual(confirmationsOf({ ...base, transactions: [tx] }), { confirmations: 3, required: 3 });
    assert.equal(confirmationsOf({ ...base, status: 'success', transactions: [tx] }), null);
    assert.equal(confirmationsOf({ ...base, transactions: [{ ...tx, confirmations: -1 as number }] }), null);
    // Without a list, the top-level txid stands for the payment.
    assert.deepEqual(transactionsOf({ ...base, txid: 'top', blockExplorerUrl: 'https://e.example/top' }), [{ txid: 'top', explorer_url: 'https://e.example/top' }]);
  });
});

describe('"Back to the shop" from the checkout\'s return_to', () => {
  let store: TestStore;
  let stack: Stack;
  before(async () => {
    store = await (await backends())[0]!.create();
    stack = await startStack(store, { ALLOWED_ORIGINS: 'https://shop.example, http://localhost:5173' });
  });
  after(async () => {
    await stack.close();
    await store.dispose();
  });

  const checkout = async (body: Record<string, unknown>) => {
    const response = await fetch(`${stack.url}/v1/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ product: 'tee', ...body }) });
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as any).order.order_id as string;
  };
  const backLink = async (id: string) => /<p class="back"><a href="([^"]*)">/.exec(await (await fetch(`${stack.url}/pay/${id}`)).text())?.[1] ?? null;

  test('a page on an allowed origin is stored (without its fragment) and is the order page\'s way back', async () => {
    const id = await checkout({ return_to: 'https://shop.example/tees?size=m&c=1#buy' });
    assert.equal((await findOrder(store.db, id))!.return_to, 'https://shop.example/tees?size=m&c=1');
    assert.equal(await backLink(id), 'https://shop.example/tees?size=m&amp;c=1');
  });

  test('any other return_to is ignored, never refused and never linked', async () => {
    for (const bad of ['https://evil.example/', 'https://shop.example.evil.example/', 'javascript:alert(1)//https://shop.example', 'https://user@shop.example/', 'http://shop.example/', '/relative', 42, { href: 'https://shop.example/' }]) {
      const id = await checkout({ return_to: bad });
      assert.equal((await findOrder(store.db, id))!.return_to, null, JSON.stringify(bad));
      assert.equal(await backLink(id), null, JSON.stringify(bad));
    }
  });

  test('with ALLOWED_ORIGINS=*, only this server\'s own pages are kept', () => {
    const config = { ALLOWED_ORIGINS: '*', PUBLIC_URL: 'https://pay.example' };
    assert.equal(checkedReturnTo('https://pay.example/shop#x', config), 'https://pay.example/shop');
    assert.equal(checkedReturnTo('https://elsewhere.example/', config), undefined);
  });

  test('the merchant\'s success_url still comes first', async () => {
    const created = await createOrder(stack, { success_url: 'https://merchant.example/thanks' });
    assert.equal(await backLink(created.order.order_id), 'https://merchant.example/thanks');
  });
});
