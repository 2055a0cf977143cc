import { schemeOf } from './safe-url.ts';

/** The three links a checkout offers (empty string for a link the wallet lacks). */
export interface PaymentLinks {
  checkout_url: string;
  universal_url: string;
  deep_link: string;
}

/** Where the page is running, as far as the link choice cares. */
export interface Environment {
  /** Form factor; `unknown` when nothing identifies the device. */
  form: 'desktop' | 'phone' | 'tablet' | 'unknown';
  /** The scheme of the wallet app hosting the page ("mixin:", "bnc:"), or null in an ordinary browser. */
  walletScheme: string | null;
  /** The in-app browser hosting the page when it is one that blocks custom schemes, else null. */
  inAppBrowser: 'wechat' | 'qq' | 'telegram' | 'facebook' | 'instagram' | 'line' | 'tiktok' | 'snapchat' | null;
}

export type LinkKind = 'checkout' | 'universal' | 'deep';

/** What the element should do with a checkout's links. */
export interface LinkChoice {
  kind: LinkKind;
  /** The link to open (or to offer as the "open checkout" link). */
  url: string;
  /** Show a QR code instead of leaving the page on its own. */
  showQr: boolean;
  /** The link the QR code carries (the mobile link), or null when no QR is shown. */
  qrUrl: string | null;
  /** Tell the customer to open the page in their real browser (in-app browsers). */
  openInBrowserHint: boolean;
}

/**
 * Picks the link that works in `env` (contracts §6). Never returns a custom scheme unless the
 * page runs inside the very wallet that scheme belongs to. Returns null when no link is usable.
 */
export function chooseLink(env: Environment, links: PaymentLinks): LinkChoice | null {
  const checkout = links.checkout_url.trim();
  const universal = links.universal_url.trim();
  const deep = links.deep_link.trim();
  const web = pick(universal, checkout);
  if (!web && !deep) return null;

  if (env.walletScheme) {
    if (deep && schemeOf(deep) === env.walletScheme) return navigate('deep', deep);
    return web ? navigate(web.kind, web.url) : null;
  }
  if (!web) return null; // only a deep link, and we are not inside its wallet
  const mobileLink = web.url;

  if (env.inAppBrowser) {
    // WeChat & co. swallow custom schemes and often universal links: offer the web link,
    // a QR code for another device, and ask the customer to switch browsers.
    return { kind: web.kind, url: web.url, showQr: true, qrUrl: mobileLink, openInBrowserHint: true };
  }
  if (env.form === 'phone' || env.form === 'tablet') return navigate(web.kind, web.url);

  // Desktop, and the safe default for anything unknown: open nothing by itself, show the
  // checkout page link plus a QR code of the mobile link for a phone to scan.
  const desktop = checkout ? { kind: 'checkout' as const, url: checkout } : web;
  return { kind: desktop.kind, url: desktop.url, showQr: true, qrUrl: mobileLink, openInBrowserHint: false };
}

function pick(universal: string, checkout: string): { kind: LinkKind; url: string } | null {
  if (universal) return { kind: 'universal', url: universal };
  if (checkout) return { kind: 'checkout', url: checkout };
  return null;
}

function navigate(kind: LinkKind, url: string): LinkChoice {
  return { kind, url, showQr: false, qrUrl: null, openInBrowserHint: false };
}
