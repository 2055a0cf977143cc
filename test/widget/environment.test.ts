import { expect } from '@open-wc/testing';
import { chooseLink, type Environment, type PaymentLinks } from '../../widget/choose-link.ts';
import { classifyEnvironment, detectEnvironment } from '../../widget/environment.ts';
import { parseUserAgent } from '../../widget/user-agent.ts';
import { USER_AGENTS } from './user-agents.ts';

const LINKS: PaymentLinks = {
  checkout_url: 'https://broker.example/checkout/1',
  universal_url: 'https://broker.example/u/1',
  deep_link: 'mixin://pay?trace=1',
};

/** What the customer must get for each environment, from contracts §6. */
function expectedChoice(env: Environment) {
  if (env.walletScheme === 'mixin:') return { kind: 'deep', url: LINKS.deep_link, showQr: false };
  if (env.walletScheme) return { kind: 'universal', url: LINKS.universal_url, showQr: false }; // bnc: has no deep link here
  if (env.inAppBrowser) return env.form === 'phone' || env.form === 'tablet' ? { kind: 'universal', url: LINKS.universal_url, showQr: true } : { kind: 'checkout', url: LINKS.checkout_url, showQr: true };
  if (env.form === 'phone' || env.form === 'tablet') return { kind: 'universal', url: LINKS.universal_url, showQr: false };
  return { kind: 'checkout', url: LINKS.checkout_url, showQr: true };
}

describe('environment detection over real user agents', () => {
  it('covers at least 40 user agents', () => {
    expect(USER_AGENTS.length).to.be.at.least(40);
  });

  for (const c of USER_AGENTS) {
    it(`${c.name}`, () => {
      const env = classifyEnvironment({ userAgent: c.ua, ...c.signals }, parseUserAgent(c.ua));
      expect(env).to.deep.equal(c.expect);
      const choice = chooseLink(env, LINKS)!;
      expect({ kind: choice.kind, url: choice.url, showQr: choice.showQr }).to.deep.equal(expectedChoice(env));
      if (choice.kind === 'deep') expect(env.walletScheme).to.equal('mixin:');
    });
  }

  it('detects this headless Chromium as a desktop', async () => {
    const env = await detectEnvironment();
    expect(env.form).to.equal('desktop');
    expect(env.walletScheme).to.equal(null);
  });

  it('sees Mixin Messenger through its iOS bridge on the page', async () => {
    const win = window as unknown as { webkit?: unknown };
    win.webkit = { messageHandlers: { MixinContext: {} } };
    try {
      expect((await detectEnvironment()).walletScheme).to.equal('mixin:');
    } finally {
      delete win.webkit;
    }
  });
});
