import { expect } from '@open-wc/testing';
import { isSafeUrl, schemeOf, walletSchemes } from '../../widget/safe-url.ts';

describe('isSafeUrl', () => {
  const allowed = [
    'https://mixpay.me/code/abc',
    'HTTPS://MIXPAY.ME/pay?payeeId=x',
    'http://localhost:8787/sandbox/mixpay/code/1',
    'http://127.0.0.1:9000/x',
    'http://[::1]:8787/x',
    'mixin://pay?recipient=a&asset=b&amount=1',
    'bnc://app.binance.com/payment/secpay?x=1',
  ];
  const refused = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'blob:https://mixpay.me/1234',
    'http://mixpay.me/code/abc',
    'http://localhost.evil.com/x',
    'http://127.0.0.2/x',
    'tg://resolve?domain=x',
    'weixin://dl/business',
    '/relative/path',
    '',
    'https://',
  ];
  for (const url of allowed) it(`allows ${JSON.stringify(url)}`, () => expect(isSafeUrl(url)).to.equal(true));
  for (const url of refused) it(`refuses ${JSON.stringify(url)}`, () => expect(isSafeUrl(url)).to.equal(false));

  it('allows an extra wallet scheme only when configured', () => {
    expect(isSafeUrl('tronlink://pay?x=1')).to.equal(false);
    expect(isSafeUrl('tronlink://pay?x=1', walletSchemes('tronlink'))).to.equal(true);
  });
});

describe('walletSchemes', () => {
  it('keeps the defaults and adds configured names, with or without colons and commas', () => {
    expect(walletSchemes('foo:, bar  Baz')).to.deep.equal(['mixin:', 'bnc:', 'foo:', 'bar:', 'baz:']);
  });
  it('never lets javascript:, data: or http: in through the attribute', () => {
    expect(walletSchemes('javascript data: http https file blob')).to.deep.equal(['mixin:', 'bnc:']);
  });
  it('ignores malformed names', () => {
    expect(walletSchemes('1abc, a b$c')).to.deep.equal(['mixin:', 'bnc:', 'a:']);
  });
});

describe('schemeOf', () => {
  it('reads the scheme in lower case', () => {
    expect(schemeOf('MIXIN://pay')).to.equal('mixin:');
    expect(schemeOf('no scheme here')).to.equal('');
  });
});
