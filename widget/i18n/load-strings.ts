import type { Locale } from './locale.ts';
import { en, type Strings } from './strings.ts';

// One chunk per locale, so a page downloads only its own language.
const LOADERS: Record<Exclude<Locale, 'en'>, () => Promise<{ strings: Strings }>> = {
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

/** The string table of a locale (English at once, the others from their own chunk). */
export async function loadStrings(locale: Locale): Promise<Strings> {
  return locale === 'en' ? en : (await LOADERS[locale]()).strings;
}
