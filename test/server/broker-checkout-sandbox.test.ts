/** The MixPay checkout sandbox page on its own: what a person trying broker mode by hand reads. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createMixPayCheckoutSandbox } from '../../server/sandbox/mixpay-checkout/index.ts';

/** A broker that answers create_order with a wallet link and remembers what it was asked. */
function fakeBroker() {
  const asked: URLSearchParams[] = [];
  const fetchImpl = (async (_url: string | URL | Request, init?: RequestInit) => {
    asked.push(new URLSearchParams(String(init?.body ?? '')));
    return Response.json({ code: 0, success: true, message: '', data: { checkout_url: 'https://wallet.example/pay/1', deep_link: '', universal_url: '' } });
  }) as typeof fetch;
  return { asked, fetchImpl };
}

describe('MixPay checkout sandbox page', () => {
  test('the return page waits and reloads until the order expires, then says what happens to a late payment', async () => {
    const clock = { now: 1_800_000_000_000 };
    const broker = fakeBroker();
    const app = createMixPayCheckoutSandbox({ brokerUrl: 'http://broker.test/mixpay', fetch: broker.fetchImpl, now: () => clock.now });
    const created = await app.request('http://x.test/order', { method: 'POST', body: new URLSearchParams({ wallet: 'mugglepay', asset_id: '4d8c508b-91c5-375b-92b0-ee702ed2dac5', amount: '1', expires_in: '60' }) });
    assert.match(await created.text(), /create_order answered code 0/);
    const trace = broker.asked[0]!.get('trace_id')!;
    assert.equal(broker.asked[0]!.get('expired_at'), String(clock.now / 1000 + 60));

    const waiting = await (await app.request(`http://x.test/done?trace_id=${trace}`)).text();
    assert.match(waiting, /Waiting for the broker's transfer/);
    assert.match(waiting, /http-equiv="refresh"/);

    clock.now += 120_000;
    const expired = await (await app.request(`http://x.test/done?trace_id=${trace}`)).text();
    assert.doesNotMatch(expired, /http-equiv="refresh"/, 'an expired order must not reload forever');
    assert.match(expired, /the order expired at 2027-01-15T08:01:00.000Z/);
    assert.match(expired, /the broker refunds them through mugglepay/);
    assert.ok(expired.includes('https://wallet.example/pay/1'));
  });

  test('an unknown trace_id neither waits nor reloads', async () => {
    const app = createMixPayCheckoutSandbox({ brokerUrl: 'http://broker.test/mixpay', fetch: fakeBroker().fetchImpl });
    const page = await (await app.request('http://x.test/done?trace_id=nothing')).text();
    assert.match(page, /Nothing received for this trace_id/);
    assert.doesNotMatch(page, /http-equiv="refresh"/);
  });
});
