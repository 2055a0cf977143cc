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

const MOBILE_OS = /^(ios|android|harmonyos|kaios|windows phone|blackberry|symbian|firefox os|sailfish)$/i;

// In-app browsers that swallow custom schemes (contracts §6), by their user-agent tokens: ua-parser-js
// 1.x does not name all of them (Telegram, Messenger), so the tokens are checked directly.
const IN_APP: ReadonlyArray<[NonNullable<Environment['inAppBrowser']>, RegExp]> = [
  ['wechat', /\bMicroMessenger\//i],
  ['qq', /\bQQ\/\d/],
  ['telegram', /\bTelegram(?:-Android|Bot)?\//i],
  ['facebook', /\b(?:FBAN|FBAV|FB_IAB)\b/],
  ['instagram', /\bInstagram\s/i],
  ['line', /\bLine\/\d/i],
  ['tiktok', /\b(?:musical_ly|BytedanceWebview|TikTok)/i],
  ['snapchat', /\bSnapchat\//i],
];

/** Decides the environment from the parsed user agent and the page's feature checks (pure). */
export function classifyEnvironment(signals: EnvironmentSignals, parsed: ParsedUserAgent): Environment {
  const ua = signals.userAgent;
  const walletScheme = signals.mixinBridge || /\bMixin\/\d/i.test(ua) ? 'mixin:' : /\bBNC\/\d/.test(ua) ? 'bnc:' : null;
  const inAppBrowser = signals.telegramBridge ? 'telegram' : (IN_APP.find(([, token]) => token.test(ua))?.[0] ?? null);
  return { form: formFactor(signals, parsed), walletScheme, inAppBrowser };
}

function formFactor(signals: EnvironmentSignals, { deviceType, os }: ParsedUserAgent): Environment['form'] {
  if (deviceType === 'mobile') return 'phone';
  if (deviceType === 'tablet') return 'tablet';
  if (deviceType) return 'unknown'; // TV, console, headset, watch: a QR code for a phone is the right thing
  if (signals.mobileHint) return 'phone';
  // iPadOS 13+ Safari sends a Mac user agent; only the touch screen gives it away.
  if (os === 'Mac OS' && (signals.maxTouchPoints ?? 0) > 1) return 'tablet';
  // Android tablets drop the "Mobile" token; phones keep it.
  if (MOBILE_OS.test(os)) return os === 'Android' && !/\bMobile\b/.test(signals.userAgent) ? 'tablet' : 'phone';
  // Any other operating system ua-parser names (Windows, macOS, Linux, ChromeOS, BSD...) is a desktop.
  return os ? 'desktop' : 'unknown';
}

/** Reads the signals of the current page. */
export function pageSignals(win: Window = window): EnvironmentSignals {
  const nav = win.navigator as Navigator & { userAgentData?: { mobile: boolean } };
  const w = win as Window & { MixinContext?: unknown; TelegramWebviewProxy?: unknown; webkit?: { messageHandlers?: { MixinContext?: unknown } } };
  return {
    userAgent: nav.userAgent,
    mobileHint: nav.userAgentData?.mobile,
    mixinBridge: Boolean(w.MixinContext || w.webkit?.messageHandlers?.MixinContext),
    telegramBridge: Boolean(w.TelegramWebviewProxy),
    maxTouchPoints: nav.maxTouchPoints,
  };
}

/** Detects the current page's environment, loading ua-parser-js on first use. */
export async function detectEnvironment(win: Window = window): Promise<Environment> {
  const { parseUserAgent } = await import('./user-agent.ts');
  const signals = pageSignals(win);
  return classifyEnvironment(signals, parseUserAgent(signals.userAgent));
}
