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
  /**
   * The in-app browser hosting the page when it is one that blocks custom schemes, else null.
   * `webview` is an app's embedded browser that names no app (Android `; wv`, iOS without Safari).
   */
  inAppBrowser:
    | 'wechat' | 'qq' | 'telegram' | 'facebook' | 'instagram' | 'line' | 'tiktok' | 'snapchat' | 'twitter'
    | 'weibo' | 'dingtalk' | 'alipay' | 'kakaotalk' | 'webview' | null;
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

  const handheld = env.form === 'phone' || env.form === 'tablet';
  // Desktop, and the safe default for anything unknown, offer the checkout page: a mobile
  // (universal) link is meant for a phone, where the wallet app lives.
  const offered = handheld || !checkout ? web : { kind: 'checkout' as const, url: checkout };
  if (env.inAppBrowser) {
    // WeChat & co. swallow custom schemes and often universal links: open nothing by itself,
    // offer the link, a QR code for another device, and ask the customer to switch browsers.
    return { ...offered, showQr: true, qrUrl: mobileLink, openInBrowserHint: true };
  }
  if (handheld) return navigate(web.kind, web.url);
  // Desktop and unknown: open nothing by itself, show a QR code of the mobile link for a phone.
  return { ...offered, showQr: true, qrUrl: mobileLink, openInBrowserHint: false };
}

function pick(universal: string, checkout: string): { kind: LinkKind; url: string } | null {
  if (universal) return { kind: 'universal', url: universal };
  if (checkout) return { kind: 'checkout', url: checkout };
  return null;
}

function navigate(kind: LinkKind, url: string): LinkChoice {
  return { kind, url, showQr: false, qrUrl: null, openInBrowserHint: false };
}
