/** The element's locale, from its `lang`, its ancestors' or the browser's (the list itself is in locales.ts). */
import { matchLocale, type Locale } from './locales.ts';

export { directionOf, LOCALES, matchLocale, type Locale } from './locales.ts';

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

