import { expect } from '@open-wc/testing';
import { chooseLink, type Environment } from '../../widget/choose-link.ts';

const env = (over: Partial<Environment>): Environment => ({ form: 'desktop', walletScheme: null, inAppBrowser: null, ...over });
const links = (checkout: string, universal: string, deep: string) => ({ checkout_url: checkout, universal_url: universal, deep_link: deep });
const C = 'https://mixpay.me/code/1';
const U = 'https://broker.example/u/1';
const M = 'mixin://pay?trace=1';
const B = 'bnc://app.binance.com/pay?x=1';

describe('chooseLink', () => {
  const table: Array<[string, Environment, ReturnType<typeof links>, object | null]> = [
    ['desktop: checkout link plus a QR code of the universal link', env({}), links(C, U, M), { kind: 'checkout', url: C, showQr: true, qrUrl: U, openInBrowserHint: false }],
    ['desktop without a universal link: the QR code carries the checkout link', env({}), links(C, '', ''), { kind: 'checkout', url: C, showQr: true, qrUrl: C, openInBrowserHint: false }],
    ['desktop with only a universal link', env({}), links('', U, ''), { kind: 'universal', url: U, showQr: true, qrUrl: U, openInBrowserHint: false }],
    ['unknown device: same safe default as desktop, never a scheme', env({ form: 'unknown' }), links(C, U, M), { kind: 'checkout', url: C, showQr: true, qrUrl: U, openInBrowserHint: false }],
    ['phone: universal link', env({ form: 'phone' }), links(C, U, M), { kind: 'universal', url: U, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['phone without universal link: checkout link', env({ form: 'phone' }), links(C, '', M), { kind: 'checkout', url: C, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['tablet: universal link', env({ form: 'tablet' }), links(C, U, ''), { kind: 'universal', url: U, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['inside Mixin with a mixin: deep link: deep link', env({ form: 'phone', walletScheme: 'mixin:' }), links(C, U, M), { kind: 'deep', url: M, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['inside Mixin with a bnc: deep link: universal, not the other wallet\'s scheme', env({ form: 'phone', walletScheme: 'mixin:' }), links(C, U, B), { kind: 'universal', url: U, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['inside Binance with a bnc: deep link: deep link', env({ form: 'phone', walletScheme: 'bnc:' }), links(C, U, B), { kind: 'deep', url: B, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['inside Binance without a deep link: universal', env({ form: 'phone', walletScheme: 'bnc:' }), links(C, U, ''), { kind: 'universal', url: U, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['inside a wallet with only a checkout link', env({ form: 'phone', walletScheme: 'mixin:' }), links(C, '', ''), { kind: 'checkout', url: C, showQr: false, qrUrl: null, openInBrowserHint: false }],
    ['WeChat: web link, QR code and the open-in-browser hint, never the deep link', env({ form: 'phone', inAppBrowser: 'wechat' }), links(C, U, M), { kind: 'universal', url: U, showQr: true, qrUrl: U, openInBrowserHint: true }],
    ['Telegram without universal link', env({ form: 'phone', inAppBrowser: 'telegram' }), links(C, '', M), { kind: 'checkout', url: C, showQr: true, qrUrl: C, openInBrowserHint: true }],
    ['deep link only, outside its wallet: nothing usable', env({ form: 'phone' }), links('', '', M), null],
    ['no links at all', env({}), links('', '', ''), null],
    ['deep link only, inside its wallet', env({ form: 'phone', walletScheme: 'mixin:' }), links('', '', M), { kind: 'deep', url: M, showQr: false, qrUrl: null, openInBrowserHint: false }],
  ];
  for (const [name, e, l, expected] of table) {
    it(name, () => expect(chooseLink(e, l)).to.deep.equal(expected));
  }

  it('treats links of blanks as missing', () => {
    expect(chooseLink(env({ form: 'phone' }), links(C, '   ', ''))).to.deep.include({ kind: 'checkout', url: C });
  });
});
