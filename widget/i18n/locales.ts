/** Which of the shipped locales the element speaks: pure, so the server's order page reads the same list. */

export const LOCALES = ['en', 'zh-CN', 'zh-TW', 'ja', 'ko', 'es', 'fr', 'de', 'pt-BR', 'ru', 'tr', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

/** Maps a BCP 47 tag ("zh-Hant-HK", "pt", "fr-CA") to the nearest shipped locale, or null. */
export function matchLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const parts = tag.trim().replace(/_/g, '-').toLowerCase().split('-');
  const language = parts[0];
  if (language === 'zh') return parts.some((p) => p === 'hant' || p === 'tw' || p === 'hk' || p === 'mo') ? 'zh-TW' : 'zh-CN';
  if (language === 'pt') return 'pt-BR';
  return LOCALES.find((locale) => locale === language) ?? null;
}

/** Text direction of a locale. */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}
