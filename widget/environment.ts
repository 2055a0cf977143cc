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
  /** `navigator.standalone` (iOS): a home-screen web app, whose user agent lacks "Safari/" like a webview's. */
  standalone?: boolean;
}

const MOBILE_OS = /^(ios|android|harmonyos|openharmony|kaios|windows phone|blackberry|symbian|firefox os|sailfish)$/i;

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
  ['twitter', /\bTwitter(?:Android| for i)/],
  ['weibo', /__weibo__|\bWeibo\b/i],
  ['dingtalk', /\bDingTalk\//i],
  ['alipay', /\bAlipayClient\//i],
  ['kakaotalk', /\bKAKAOTALK\b/i],
];

// An app's embedded browser that names no app: Android's WebView says `; wv)`; an iOS WKWebView
// leaves out the "Safari/" token that Safari, SFSafariViewController and other iOS browsers send.
// Such webviews open no custom scheme unless their app adds code for it (Telegram on iOS is one).
const ANDROID_WEBVIEW = /; wv\)/;
const IOS_DEVICE = /\((?:iPhone|iPad|iPod)\b/;
// Crawlers never pay; they get the safe default whatever device they claim to be ("Googlebot/",
// "AdsBot-Google", "Yahoo! Slurp"; not the phone brand "CUBOT X30").
const BOT = /(?:bot|crawler|spider)[/-]|slurp|externalhit/i;
// iOS browsers on an iPad ask for desktop pages with a Mac user agent but keep their own token.
const IOS_BROWSER = /\b(?:CriOS|FxiOS|EdgiOS)\//;

/** Decides the environment from the parsed user agent and the page's feature checks (pure). */
export function classifyEnvironment(signals: EnvironmentSignals, parsed: ParsedUserAgent): Environment {
  const ua = signals.userAgent;
  const walletScheme = signals.mixinBridge || /\bMixin\/\d/i.test(ua) ? 'mixin:' : /\bBNC\/\d/.test(ua) ? 'bnc:' : null;
  const named = signals.telegramBridge ? 'telegram' : (IN_APP.find(([, token]) => token.test(ua))?.[0] ?? null);
  const webview = ANDROID_WEBVIEW.test(ua) || (IOS_DEVICE.test(ua) && !/\bSafari\//.test(ua) && !signals.standalone);
  const inAppBrowser = named ?? (webview && !walletScheme ? 'webview' : null);
  return { form: BOT.test(ua) ? 'unknown' : formFactor(signals, parsed), walletScheme, inAppBrowser };
}

function formFactor(signals: EnvironmentSignals, { deviceType, os }: ParsedUserAgent): Environment['form'] {
  if (deviceType === 'mobile') return 'phone';
  if (deviceType === 'tablet') return 'tablet';
  if (deviceType) return 'unknown'; // TV, console, headset, watch: a QR code for a phone is the right thing
  if (signals.mobileHint) return 'phone';
  // iPadOS 13+ Safari sends a Mac user agent; only the touch screen gives it away.
  if (os === 'Mac OS' && ((signals.maxTouchPoints ?? 0) > 1 || IOS_BROWSER.test(signals.userAgent))) return 'tablet';
  // Android tablets drop the "Mobile" token; phones keep it.
  if (MOBILE_OS.test(os)) return os === 'Android' && !/\bMobile\b/.test(signals.userAgent) ? 'tablet' : 'phone';
  // Any other operating system ua-parser names (Windows, macOS, Linux, ChromeOS, BSD...) is a desktop.
  return os ? 'desktop' : 'unknown';
}

/** Reads the signals of the current page. */
export function pageSignals(win: Window = window): EnvironmentSignals {
  const nav = win.navigator as Navigator & { userAgentData?: { mobile: boolean }; standalone?: boolean };
  const w = win as Window & { MixinContext?: unknown; TelegramWebviewProxy?: unknown; webkit?: { messageHandlers?: { MixinContext?: unknown } } };
  return {
    userAgent: nav.userAgent,
    mobileHint: nav.userAgentData?.mobile,
    mixinBridge: Boolean(w.MixinContext || w.webkit?.messageHandlers?.MixinContext),
    telegramBridge: Boolean(w.TelegramWebviewProxy),
    maxTouchPoints: nav.maxTouchPoints,
    standalone: nav.standalone === true,
  };
}

/** Detects the current page's environment, loading ua-parser-js on first use. */
export async function detectEnvironment(win: Window = window): Promise<Environment> {
  const { parseUserAgent } = await import('./user-agent.ts');
  const signals = pageSignals(win);
  return classifyEnvironment(signals, parseUserAgent(signals.userAgent));
}
