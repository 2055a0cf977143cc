import { expect } from '@open-wc/testing';
import { loadStrings } from '../../widget/i18n/load-strings.ts';
import { LOCALES, matchLocale, directionOf } from '../../widget/i18n/locale.ts';

describe('locales', () => {
  it('ships twelve locales', () => expect(LOCALES).to.have.length(12));

  let en: Awaited<ReturnType<typeof loadStrings>>;
  before(async () => (en = await loadStrings('en')));

  for (const locale of LOCALES) {
    it(`${locale}: a complete table that differs from English`, async () => {
      const strings = await loadStrings(locale);
      expect(Object.keys(strings).sort()).to.deep.equal(Object.keys(en).sort());
      for (const value of Object.values(strings)) {
        const text = typeof value === 'function' ? value('A', 'B') : value;
        expect(text, `${locale}`).to.be.a('string').and.not.equal('');
      }
      if (locale !== 'en') expect(strings.awaiting).to.not.equal(en.awaiting);
      expect(strings.pay).to.contain('MixPay');
    });
  }

  it('maps tags to the nearest locale', () => {
    expect(matchLocale('zh-Hant-HK')).to.equal('zh-TW');
    expect(matchLocale('zh-HK')).to.equal('zh-TW');
    expect(matchLocale('zh')).to.equal('zh-CN');
    expect(matchLocale('zh-Hans-SG')).to.equal('zh-CN');
    expect(matchLocale('pt-PT')).to.equal('pt-BR');
    expect(matchLocale('fr-CA')).to.equal('fr');
    expect(matchLocale('EN_gb')).to.equal('en');
    expect(matchLocale('nl')).to.equal(null);
    expect(directionOf('ar')).to.equal('rtl');
    expect(directionOf('ja')).to.equal('ltr');
  });
});
