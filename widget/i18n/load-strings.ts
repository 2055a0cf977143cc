import type { Locale } from './locale.ts';
import type { Strings } from './strings.ts';

// One chunk per locale (English too), so a page downloads only its own language.
const LOADERS: Record<Locale, () => Promise<{ strings: Strings }>> = {
  en: () => import('./locales/en.ts'),
  'zh-CN': () => import('./locales/zh-CN.ts'),
  'zh-TW': () => import('./locales/zh-TW.ts'),
  ja: () => import('./locales/ja.ts'),
  ko: () => import('./locales/ko.ts'),
  es: () => import('./locales/es.ts'),
  fr: () => import('./locales/fr.ts'),
  de: () => import('./locales/de.ts'),
  'pt-BR': () => import('./locales/pt-BR.ts'),
  ru: () => import('./locales/ru.ts'),
  tr: () => import('./locales/tr.ts'),
  ar: () => import('./locales/ar.ts'),
};

/** The string table of a locale, from its chunk; English when that chunk cannot be loaded. */
export async function loadStrings(locale: Locale): Promise<Strings> {
  try {
    return (await LOADERS[locale]()).strings;
  } catch (error) {
    if (locale === 'en') throw error;
    return loadStrings('en');
  }
}
