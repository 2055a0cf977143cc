import { expect } from '@open-wc/testing';
import { formatAmount, formatCountdown } from '../../widget/format.ts';
import { buildPayLink, randomTraceId } from '../../widget/pay-link.ts';
import { nextRetryDelay } from '../../widget/retry.ts';

describe('formatAmount', () => {
  it('formats fiat with the locale', () => {
    expect(formatAmount('9.99', 'USD', 'en')).to.equal('$9.99');
    expect(formatAmount('1234.5', 'EUR', 'de')).to.equal('1.234,50\u00a0€');
    expect(formatAmount('1000', 'JPY', 'ja')).to.equal('￥1,000');
  });
  it('keeps every digit of a crypto amount (no float rounding)', () => {
    expect(formatAmount('0.00593523', 'BTC', 'en')).to.equal('0.00593523 BTC');
    expect(formatAmount('0.5', 'ETH', 'de')).to.equal('0,5 ETH'); // a crypto symbol is no ISO currency code
    expect(formatAmount('12345678901234567.12345678', 'USDT', 'en')).to.equal('12,345,678,901,234,567.12345678 USDT');
  });
  it('shows anything that is not a decimal as it came', () => {
    expect(formatAmount('abc', 'USD', 'en')).to.equal('abc USD');
  });
});

describe('formatCountdown', () => {
  it('counts minutes and hours', () => {
    expect(formatCountdown(245_000)).to.equal('4:05');
    expect(formatCountdown(3_729_000)).to.equal('1:02:09');
    expect(formatCountdown(3_600_000)).to.equal('1:00:00');
    expect(formatCountdown(-5)).to.equal('0:00');
  });
});

describe('buildPayLink', () => {
  it('builds the seed 002 link', () => {
    expect(buildPayLink({ payeeId: 'p', settlementAssetId: 's', quoteAssetId: 'usd', quoteAmount: '2.5', traceId: 't', remark: 'hi there' }))
      .to.equal('https://mixpay.me/pay?payeeId=p&settlementAssetId=s&quoteAssetId=usd&quoteAmount=2.5&traceId=t&remark=hi+there');
  });
  it('leaves out empty parameters', () => {
    expect(buildPayLink({ payeeId: 'p', quoteAmount: '' }, 'https://pay.example/x')).to.equal('https://pay.example/x?payeeId=p');
  });
  it('refuses a missing payee or a malformed amount', () => {
    expect(() => buildPayLink({ payeeId: ' ' })).to.throw(Error);
    expect(() => buildPayLink({ payeeId: 'p', quoteAmount: '1e3' })).to.throw(Error);
    expect(() => buildPayLink({ payeeId: 'p', quoteAmount: '-1' })).to.throw(Error);
  });
  it('makes v4 trace ids', () => {
    const ids = new Set(Array.from({ length: 20 }, () => randomTraceId()));
    expect(ids.size).to.equal(20);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('nextRetryDelay', () => {
  const timing = { pollInterval: 2000, retryBase: 1000, retryMax: 30_000 };
  it('doubles from the base up to the cap, with ±20 % jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map((n) => nextRetryDelay(n, timing, () => 0.5))).to.deep.equal([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(nextRetryDelay(1, timing, () => 0)).to.equal(800);
    expect(nextRetryDelay(1, timing, () => 1)).to.equal(1200);
  });
});

describe('busyDelay: how long a refusing server asked us to wait', () => {
  it('honours Retry-After in seconds or as a date, caps it at 60 s, and reads only 429 and 503', async () => {
    const { busyDelay } = await import('../../widget/checkout-api.ts');
    expect(busyDelay(429, '5')).to.equal(5000);
    expect(busyDelay(429, '3600')).to.equal(60_000);
    expect(busyDelay(429, null)).to.equal(10_000);
    expect(busyDelay(503, new Date(1_000_045_000).toUTCString(), 1_000_000_000)).to.equal(45_000);
    expect(busyDelay(503, null)).to.equal(null);
    expect(busyDelay(500, '5')).to.equal(null);
  });
});
