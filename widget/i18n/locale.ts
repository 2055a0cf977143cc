/** Which of the shipped locales the element speaks. */

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

/**
 * The element's locale: its own `lang`, else the nearest ancestor's, else the browser's
 * languages, else English. A page language we lack gives English, not the browser's language.
 */
export function resolveLocale(
  element: Element,
  own: string | null | undefined = element.getAttribute('lang'),
  languages: readonly string[] = navigator.languages ?? [navigator.language],
): Locale {
  // `own` first: a property set from script reaches the attribute only after this runs.
  const tagged = own || element.parentElement?.closest('[lang]')?.getAttribute('lang');
  if (tagged) return matchLocale(tagged) ?? 'en';
  for (const language of languages) {
    const match = matchLocale(language);
    if (match) return match;
  }
  return 'en';
}

/** Text direction of a locale. */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}
