/**
 * The one gate every URL passes before the element opens it or shows it as a link
 * (contracts §6): https anywhere, http only on the loopback host (the built-in sandbox),
 * and the custom schemes of known wallets. Everything else is refused, whoever supplied it.
 */

/** Wallet schemes allowed without configuration: Mixin Messenger and the Binance app. */
export const DEFAULT_WALLET_SCHEMES: readonly string[] = ['mixin:', 'bnc:'];

/** Schemes that can run code, read local data or weaken the http rule: never allowed. */
const FORBIDDEN_SCHEMES = new Set([
  'javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:', 'filesystem:', 'http:', 'https:',
]);

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Parses the `allowed-schemes` attribute ("foo, bar:") into the full list of wallet schemes. */
export function walletSchemes(attribute: string | null | undefined): string[] {
  const schemes = [...DEFAULT_WALLET_SCHEMES];
  for (const name of (attribute ?? '').toLowerCase().split(/[\s,]+/)) {
    const scheme = `${name.replace(/:$/, '')}:`;
    if (/^[a-z][a-z0-9+.-]*:$/.test(scheme) && !FORBIDDEN_SCHEMES.has(scheme) && !schemes.includes(scheme)) schemes.push(scheme);
  }
  return schemes;
}

/** True when the element may open `raw` (see the module comment for the rule). */
export function isSafeUrl(raw: string, schemes: readonly string[] = DEFAULT_WALLET_SCHEMES): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false; // relative or malformed: nothing we can vouch for
  }
  const scheme = url.protocol.toLowerCase();
  if (scheme === 'https:') return url.hostname !== '';
  if (scheme === 'http:') return LOOPBACK_HOSTS.has(url.hostname.toLowerCase());
  return !FORBIDDEN_SCHEMES.has(scheme) && schemes.includes(scheme);
}

/** The scheme of a URL-like string, lower-cased with its colon ("mixin:"), or "" when it has none. */
export function schemeOf(raw: string): string {
  const match = /^\s*([a-z][a-z0-9+.-]*):/i.exec(raw);
  return match?.[1] ? `${match[1].toLowerCase()}:` : '';
}
