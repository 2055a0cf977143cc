import type { Environment } from './choose-link.ts';
import type { ParsedUserAgent } from './user-agent.ts';

/** What the page can observe besides the user-agent string. */
export interface EnvironmentSignals {
  userAgent: string;
  /** `navigator.userAgentData.mobile` (User-Agent Client Hints), when the browser offers it. */
  mobileHint?: boolean | undefined;
  /** Mixin Messenger's bridge: `window.MixinContext` (Android) or `webkit.messageHandlers.MixinContext` (iOS). */
  mixinBridge?: boolean;
  /** Telegram's in-app browser bridge (`window.TelegramWebviewProxy`). */
  telegramBridge?: boolean;
  /** `navigator.maxTouchPoints`: tells an iPad (which claims to be a Mac) from a Mac. */
  maxTouchPoints?: number;
}

const DESKTOP_OS = /^(windows|mac os|linux|ubuntu|debian|fedora|chromium os|chrome os|freebsd|openbsd|netbsd|solaris|mint|arch|gentoo|suse|red hat|centos)$/i;
const MOBILE_OS = /^(ios|android|harmonyos|kaios|windows phone|blackberry|tizen|symbian|firefox os|sailfish|ubuntu touch)$/i;

// In-app browsers that swallow custom schemes (contracts §6). Each one is also matched on its own
// token, because ua-parser-js 1.x does not name all of them (Telegram, for one).
const IN_APP: ReadonlyArray<[NonNullable<Environment['inAppBrowser']>, RegExp, string[]]> = [
  ['wechat', /\bMicroMessenger\//i, ['WeChat']],
  ['telegram', /\bTelegram(?:-Android|Bot)?\//i, ['Telegram']],
  ['facebook', /\b(?:FBAN|FBAV|FB_IAB|FBIOS|FB4A)\b/, ['Facebook']],
  ['instagram', /\bInstagram\s/i, ['Instagram']],
  ['line', /\bLine\/\d/i, ['Line']],
  ['tiktok', /\b(?:musical_ly|BytedanceWebview|TikTok)\b/i, ['TikTok']],
  ['snapchat', /\bSnapchat\//i, ['Snapchat']],
];

/** Decides the environment from the parsed user agent and the page's feature checks (pure). */
export function classifyEnvironment(signals: EnvironmentSignals, parsed: ParsedUserAgent): Environment {
  const ua = signals.userAgent;
  let walletScheme: string | null = null;
  if (signals.mixinBridge || /\bMixin\/\d/i.test(ua)) walletScheme = 'mixin:';
  else if (/\bBNC\/\d/.test(ua)) walletScheme = 'bnc:';

  let inAppBrowser: Environment['inAppBrowser'] = null;
  if (signals.telegramBridge) inAppBrowser = 'telegram';
  for (const [name, token, parserNames] of IN_APP) {
    if (inAppBrowser) break;
    if (token.test(ua) || parserNames.includes(parsed.browser)) inAppBrowser = name;
  }
  return { form: formFactor(signals, parsed), walletScheme, inAppBrowser };
}

function formFactor(signals: EnvironmentSignals, parsed: ParsedUserAgent): Environment['form'] {
  switch (parsed.deviceType) {
    case 'mobile':
    case 'wearable':
      return 'phone';
    case 'tablet':
      return 'tablet';
    case 'smarttv':
    case 'console':
    case 'embedded':
      return 'unknown'; // a QR code for a phone is the right thing on a TV or console
  }
  if (signals.mobileHint === true) return 'phone';
  // iPadOS 13+ Safari sends a Mac user agent; only the touch screen gives it away.
  if (parsed.os === 'Mac OS' && (signals.maxTouchPoints ?? 0) > 1) return 'tablet';
  // Android tablets drop the "Mobile" token; phones keep it.
  if (MOBILE_OS.test(parsed.os)) return parsed.os === 'Android' && !/\bMobile\b/.test(signals.userAgent) ? 'tablet' : 'phone';
  if (signals.mobileHint === false || DESKTOP_OS.test(parsed.os)) return 'desktop';
  return 'unknown';
}

/** Reads the signals of the current page. */
export function pageSignals(win: Window = window): EnvironmentSignals {
  const nav = win.navigator as Navigator & { userAgentData?: { mobile?: boolean } };
  const w = win as Window & {
    MixinContext?: unknown;
    TelegramWebviewProxy?: unknown;
    webkit?: { messageHandlers?: { MixinContext?: unknown } };
  };
  return {
    userAgent: nav.userAgent,
    mobileHint: typeof nav.userAgentData?.mobile === 'boolean' ? nav.userAgentData.mobile : undefined,
    mixinBridge: Boolean(w.MixinContext || w.webkit?.messageHandlers?.MixinContext),
    telegramBridge: Boolean(w.TelegramWebviewProxy),
    maxTouchPoints: nav.maxTouchPoints ?? 0,
  };
}

/** Detects the current page's environment, loading ua-parser-js on first use. */
export async function detectEnvironment(win: Window = window): Promise<Environment> {
  const { parseUserAgent } = await import('./user-agent.ts');
  const signals = pageSignals(win);
  return classifyEnvironment(signals, parseUserAgent(signals.userAgent));
}
