/**
 * A second, independent table of real user agents (none of them in user-agents.ts), each with the
 * link the customer must end up with, written out by hand from contracts §6 and issue 3 §1:
 * desktop → the checkout page plus a QR code of the mobile link; phone and tablet → the universal
 * link; inside the wallet whose scheme the deep link uses → the deep link; in-app browsers that
 * block custom schemes (and unnamed webviews) → nothing opens by itself: QR code, copy, "open in
 * your browser"; crawlers and anything unknown → the desktop's safe default.
 * Each row goes through the same path as a page: detectEnvironment() on a window with that
 * navigator, then chooseLink().
 */
import { expect } from '@open-wc/testing';
import UAParser from 'ua-parser-js';
import { chooseLink, type LinkChoice, type PaymentLinks } from '../../widget/choose-link.ts';
import { detectEnvironment } from '../../widget/environment.ts';
import { USER_AGENTS } from './user-agents.ts';

const C = 'https://mixpay.me/code/7f3c';
const U = 'https://broker.example/u/7f3c';
const MIXIN_DEEP: PaymentLinks = { checkout_url: C, universal_url: U, deep_link: 'mixin://mixpay.me/pay/7f3c' };
const BNC_DEEP: PaymentLinks = { checkout_url: C, universal_url: U, deep_link: 'bnc://app.binance.com/payment/7f3c' };

/** What the customer gets, by name. */
type Outcome =
  | 'desktop' // checkout page link (new tab) + QR code of the universal link
  | 'go' // leaves for the universal link at once
  | 'mixin' // inside Mixin Messenger: the mixin: deep link, else universal
  | 'binance' // inside the Binance app: the bnc: deep link, else universal
  | 'in-app' // no navigation: QR code + copy + hint, offering the universal link
  | 'in-app-desktop'; // a desktop in-app browser (WeChat for Windows/Mac): same, offering the checkout page

const go = (url: string, kind: LinkChoice['kind']): LinkChoice => ({ kind, url, showQr: false, qrUrl: null, openInBrowserHint: false });
const DESKTOP: LinkChoice = { kind: 'checkout', url: C, showQr: true, qrUrl: U, openInBrowserHint: false };
const IN_APP: LinkChoice = { kind: 'universal', url: U, showQr: true, qrUrl: U, openInBrowserHint: true };
const IN_APP_DESKTOP: LinkChoice = { kind: 'checkout', url: C, showQr: true, qrUrl: U, openInBrowserHint: true };

/** The expected choice for each outcome, with a mixin: deep link and with a bnc: one. */
const EXPECTED: Record<Outcome, [LinkChoice, LinkChoice]> = {
  desktop: [DESKTOP, DESKTOP],
  go: [go(U, 'universal'), go(U, 'universal')],
  mixin: [go(MIXIN_DEEP.deep_link, 'deep'), go(U, 'universal')],
  binance: [go(U, 'universal'), go(BNC_DEEP.deep_link, 'deep')],
  'in-app': [IN_APP, IN_APP],
  'in-app-desktop': [IN_APP_DESKTOP, IN_APP_DESKTOP],
};

interface Row {
  name: string;
  ua: string;
  /** What else the page sees: navigator.maxTouchPoints, navigator.standalone, window bridges. */
  page?: { maxTouchPoints?: number; standalone?: boolean; mobile?: boolean; TelegramWebviewProxy?: object; MixinContext?: object };
  expect: Outcome;
}

const ROWS: Row[] = [
  // iOS and iPadOS
  { name: 'Safari on iOS 18', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', page: { maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Safari on iOS 12', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1', page: { maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Safari on iOS 9', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 9_3_5 like Mac OS X) AppleWebKit/601.1.46 (KHTML, like Gecko) Version/9.0 Mobile/13G36 Safari/601.1', page: { maxTouchPoints: 5 }, expect: 'go' },
  { name: 'iPadOS 18 Safari in desktop mode (claims to be a Mac)', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', page: { maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Chrome on iPad', ua: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1', page: { maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Firefox on iPad asking for the desktop page (no touch points reported)', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Safari/605.1.15', expect: 'go' },
  { name: 'Edge on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/126.2592.56 Mobile/15E148 Safari/605.1.15', expect: 'go' },
  { name: 'Google app on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/321.0.646364010 Mobile/15E148 Safari/604.1', expect: 'go' },
  { name: 'a home-screen web app on iPhone (no Safari token, but standalone)', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', page: { standalone: true }, expect: 'go' },

  // Android phones and tablets
  { name: 'Samsung Internet (reduced UA)', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36', expect: 'go' },
  { name: 'UC Browser on Android 9', ua: 'Mozilla/5.0 (Linux; U; Android 9; en-US; SM-J730F Build/PPR1.180610.011) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/78.0.3904.108 UCBrowser/13.4.2.1307 Mobile Safari/537.36', expect: 'go' },
  { name: 'Yandex Browser on Android', ua: 'Mozilla/5.0 (Linux; arm_64; Android 13; SM-A525F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 YaBrowser/24.4.4.97.00 SA/3 Mobile Safari/537.36', expect: 'go' },
  { name: 'MIUI Browser (global)', ua: 'Mozilla/5.0 (Linux; U; Android 14; en-gb; 23049PCD8G Build/UKQ1.230804.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/112.0.5615.136 Mobile Safari/537.36 XiaoMi/MiuiBrowser/14.10.1-gn', expect: 'go' },
  { name: 'Huawei Browser on HarmonyOS NEXT', ua: 'Mozilla/5.0 (Phone; OpenHarmony 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.0.0 Safari/537.36 ArkWeb/4.1.6.1 Mobile HuaweiBrowser/5.0.3.300', expect: 'go' },
  { name: 'Huawei Browser on a HarmonyOS tablet', ua: 'Mozilla/5.0 (Linux; Android 12; HarmonyOS; DBY-W09; HMSCore 6.13.0.321) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/15.0.4.312 Safari/537.36', expect: 'go' },
  { name: 'Firefox on an Android tablet', ua: 'Mozilla/5.0 (Android 13; Tablet; rv:127.0) Gecko/127.0 Firefox/127.0', expect: 'go' },
  { name: 'stock browser on a Galaxy Tab 4 (Android 4.4)', ua: 'Mozilla/5.0 (Linux; U; Android 4.4.2; en-us; SM-T530 Build/KOT49H) AppleWebKit/534.30 (KHTML, like Gecko) Version/4.0 Safari/534.30', expect: 'go' },
  { name: 'stock browser on Android 2.3', ua: 'Mozilla/5.0 (Linux; U; Android 2.3.6; en-us; GT-S5830 Build/GINGERBREAD) AppleWebKit/533.1 (KHTML, like Gecko) Version/4.0 Mobile Safari/533.1', expect: 'go' },
  { name: 'Chrome 131 on Android (reduced UA)', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36', page: { mobile: true, maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Chrome 131 on an Android tablet (reduced UA, no "Mobile")', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', page: { mobile: false, maxTouchPoints: 5 }, expect: 'go' },
  { name: 'Firefox 131 on an Android phone', ua: 'Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0', expect: 'go' },
  { name: 'Edge on a Galaxy S23', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36 EdgA/130.0.2849.80', expect: 'go' },
  { name: 'Opera on a Redmi phone', ua: 'Mozilla/5.0 (Linux; Android 13; 22101316G Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 Mobile Safari/537.36 OPR/85.4.4490.82140', expect: 'go' },
  { name: 'Samsung Internet in DeX desktop mode', ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Safari/537.36', expect: 'desktop' },
  { name: 'Safari 18 on macOS Sequoia', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', page: { maxTouchPoints: 0 }, expect: 'desktop' },
  { name: 'Chrome 131 on Windows 10', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', page: { mobile: false }, expect: 'desktop' },
  { name: 'a Cubot phone (its brand is no crawler)', ua: 'Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36', expect: 'go' },

  // Desktops
  { name: 'Edge on Windows 11', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0', page: { maxTouchPoints: 10 }, expect: 'desktop' },
  { name: 'Internet Explorer 11', ua: 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko', expect: 'desktop' },
  { name: 'Firefox on macOS', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0', page: { maxTouchPoints: 0 }, expect: 'desktop' },
  { name: 'Firefox on Fedora', ua: 'Mozilla/5.0 (X11; Fedora; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0', expect: 'desktop' },
  { name: 'Chrome on an ARM Chromebook', ua: 'Mozilla/5.0 (X11; CrOS aarch64 15699.85.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.5938.157 Safari/537.36', page: { maxTouchPoints: 10 }, expect: 'desktop' },
  { name: 'Firefox on FreeBSD', ua: 'Mozilla/5.0 (X11; FreeBSD amd64; rv:115.0) Gecko/20100101 Firefox/115.0', expect: 'desktop' },
  { name: 'Chrome on Android asking for the desktop site (safe default: the dialog)', ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', page: { maxTouchPoints: 5, mobile: false }, expect: 'desktop' },

  // Webviews that name no app: custom schemes fail unless the app adds code for them
  { name: 'Android WebView in some app', ua: 'Mozilla/5.0 (Linux; Android 14; SM-A546B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36', expect: 'in-app' },
  { name: 'Telegram on iPhone: a WKWebView with no token and no Safari', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', expect: 'in-app' },
  { name: 'Telegram on iPhone with its web-app bridge', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', page: { TelegramWebviewProxy: {} }, expect: 'in-app' },

  // Named in-app browsers
  { name: 'WeChat Work on Android', ua: 'Mozilla/5.0 (Linux; Android 12; M2102K1C Build/SKQ1.211006.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 wxwork/4.1.0 MicroMessenger/7.0.1 NetType/WIFI Language/zh Lang/zh ColorScheme/Light', expect: 'in-app' },
  { name: 'WeChat Work on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.16 MicroMessenger/7.0.1 Language/zh ColorScheme/Light', expect: 'in-app' },
  { name: 'WeChat for Mac', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) MicroMessenger/6.8.0(0x16080000) MacWechat/3.8.7(0x13080710) Safari/605.1.15 NetType/WIFI', page: { maxTouchPoints: 0 }, expect: 'in-app-desktop' },
  { name: 'WeChat Work for Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/107.0.0.0 Safari/537.36 wxwork/4.1.10 (MicroMessenger/6.2) WindowsWechat', expect: 'in-app-desktop' },
  { name: 'Telegram on Android', ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro Build/AP2A.240705.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 Telegram-Android/11.0.0 (Google Pixel 8 Pro; Android 14; SDK 34; HIGH)', expect: 'in-app' },
  { name: 'Facebook on iPad', ua: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/472.0.0.41.108;FBBV/622012218;FBDV/iPad13,18;FBMD/iPad;FBSN/iPadOS;FBSV/17.5;FBSS/2;FBID/tablet;FBLC/en_US;FBOP/5;FBRV/0]', expect: 'in-app' },
  { name: 'Messenger on Android', ua: 'Mozilla/5.0 (Linux; Android 12; SM-A525F Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 [FB_IAB/Orca-Android;FBAV/460.0.0.48.109;]', expect: 'in-app' },
  { name: 'Instagram on a Galaxy A53', ua: 'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36 Instagram 337.0.0.35.102 Android (33/13; 450dpi; 1080x2177; samsung; SM-A536B; a53x; s5e8825; en_GB; 613813127)', expect: 'in-app' },
  { name: 'LINE 14.10 on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.10.0', expect: 'in-app' },
  { name: 'TikTok on Android (trill, BytedanceWebview)', ua: 'Mozilla/5.0 (Linux; Android 13; SM-S911B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 trill_350403 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/35.4.3 ByteLocale/en ByteFullLocale/en Region/US AppId/1180 Spark/1.5.8.7-bugfix AppVersion/35.4.3 BytedanceWebview/d8a21c6', expect: 'in-app' },
  { name: 'TikTok 35 on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_35.3.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/GB isDarkMode/0 WKWebView/1 RevealType/Dialog BytedanceWebview/d8a21c6', expect: 'in-app' },
  { name: 'Douyin on Android', ua: 'Mozilla/5.0 (Linux; Android 12; ANA-AN00 Build/HUAWEIANA-AN00; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/99.0.4844.88 Mobile Safari/537.36 aweme_290100 JsSdk/1.0 NetType/WIFI Channel/huawei_1128_64 AppName/aweme app_version/29.1.0 ByteLocale/zh-CN Region/CN BytedanceWebview/d8a21c6', expect: 'in-app' },
  { name: 'Twitter for iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Twitter for iPhone/10.5', expect: 'in-app' },
  { name: 'Twitter on Android', ua: 'Mozilla/5.0 (Linux; Android 13; Pixel 6 Build/TQ3A.230901.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.5845.163 Mobile Safari/537.36 TwitterAndroid', expect: 'in-app' },
  { name: 'Snapchat on Android', ua: 'Mozilla/5.0 (Linux; Android 13; SM-A135F Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 Snapchat/13.0.0.42 (SM-A135F; Android 13#A135FXXU4CWG1#33; gzip; )', expect: 'in-app' },
  { name: 'Weibo on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Weibo (iPhone14,5__weibo__14.6.2__iphone__os17.5)', expect: 'in-app' },
  { name: 'Weibo on Android', ua: 'Mozilla/5.0 (Linux; Android 13; V2183A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 Weibo (vivo-V2183A__weibo__14.5.0__android__android13)', expect: 'in-app' },
  { name: 'DingTalk on Android (UC engine, no wv token)', ua: 'Mozilla/5.0 (Linux; U; Android 12; zh-CN; PEGM00 Build/SKQ1.210216.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.59 Mobile Safari/537.36 AliApp(DingTalk/7.0.50) com.alibaba.android.rimet/34247286 Channel/227200 language/zh-CN abi/64 UT4Aplus/0.2.25 colorScheme/light', expect: 'in-app' },
  { name: 'DingTalk on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 AliApp(DingTalk/7.5.5) com.laiwang.DingTalk/32735845 Channel/201200 language/zh-Hans-CN UT4Aplus/0.0.6 WK', expect: 'in-app' },
  { name: 'Alipay on Android', ua: 'Mozilla/5.0 (Linux; U; Android 13; zh-CN; V2227A Build/TP1A.220624.014) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/69.0.3497.100 UWS/3.22.2.51 Mobile Safari/537.36 UCBS/3.22.2.51_230817173202 ChannelId(0) NebulaSDK/1.8.100112 Nebula AlipayDefined(nt:WIFI,ws:360|0|3.0) AliApp(AP/10.5.26.8000) AlipayClient/10.5.26.8000 Language/zh-Hans useStatusBar/true isConcaveScreen/true Region/CN NebulaX/1.0.0 Ariver/1.0.0', expect: 'in-app' },
  { name: 'Alipay on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Ariver/1.1.0 AliApp(AP/10.6.6.6000) Nebula WK RVKType(1) AlipayDefined(nt:WIFI,ws:390|780|3.0) AlipayClient/10.6.6.6000 Language/zh-Hans Region/CN NebulaX/1.0.0 DTN/2.0', expect: 'in-app' },
  { name: 'KakaoTalk on Android', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918N Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 Mobile Safari/537.36;KAKAOTALK 2410700', expect: 'in-app' },
  { name: 'KakaoTalk on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.8.5', expect: 'in-app' },

  // Inside the wallets
  { name: 'Mixin Messenger 1.17 on Android', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S9180 Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 Mixin/1.17.0 Channel/GooglePlay Language/zh', expect: 'mixin' },
  { name: 'Mixin Messenger 0.44 on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Mixin/0.44.10', expect: 'mixin' },
  { name: 'Mixin Messenger on Android known by window.MixinContext', ua: 'Mozilla/5.0 (Linux; Android 13; 22081212UG Build/TKQ1.220829.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.230 Mobile Safari/537.36', page: { MixinContext: {} }, expect: 'mixin' },
  { name: 'Binance app 2.86 on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 BNC/2.86.1 (iPhone; iOS 17.5; Scale/3.00)', expect: 'binance' },
  { name: 'Binance app 2.86 on Android', ua: 'Mozilla/5.0 (Linux; Android 13; 2201117TG Build/TKQ1.221114.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 BNC/2.86.4 (Android 13)', expect: 'binance' },

  // Crawlers and the rest
  { name: 'Googlebot smartphone', ua: 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', expect: 'desktop' },
  { name: 'bingbot', ua: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', expect: 'desktop' },
  { name: 'Facebook link preview crawler', ua: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)', expect: 'desktop' },
  { name: 'python-requests', ua: 'python-requests/2.32.3', expect: 'desktop' },
  { name: 'a bare "Mozilla/5.0"', ua: 'Mozilla/5.0', expect: 'desktop' },
  { name: 'Windows Phone 8.1', ua: 'Mozilla/5.0 (Mobile; Windows Phone 8.1; Android 4.0; ARM; Trident/7.0; Touch; rv:11.0; IEMobile/11.0; NOKIA; Lumia 930) like iPhone OS 7_0_3 Mac OS X AppleWebKit/537 (KHTML, like Gecko) Mobile Safari/537', expect: 'go' },
  { name: 'KaiOS phone', ua: 'Mozilla/5.0 (Mobile; Nokia_8110_4G; rv:48.0) Gecko/48.0 Firefox/48.0 KAIOS/2.5', expect: 'go' },
];

/** A window whose navigator and bridges are those of the row. */
function pageOf(row: Row): Window {
  const { maxTouchPoints = 0, standalone, mobile, ...bridges } = row.page ?? {};
  const navigator = { userAgent: row.ua, maxTouchPoints, standalone, userAgentData: mobile === undefined ? undefined : { mobile } };
  return { navigator, ...bridges } as unknown as Window;
}

describe('link choice over user agents beyond user-agents.ts', () => {
  it('has at least 40 rows, none of them already in user-agents.ts', () => {
    expect(ROWS.length).to.be.at.least(40);
    const known = new Set(USER_AGENTS.map((c) => c.ua));
    expect(ROWS.filter((r) => known.has(r.ua)).map((r) => r.name)).to.deep.equal([]);
  });

  it('runs on the parser the build ships: operating systems and devices only', () => {
    const result = new UAParser(ROWS[0]!.ua).getResult();
    expect(result.browser.name, 'browser table trimmed').to.equal(undefined);
    expect(result.engine.name, 'engine table trimmed').to.equal(undefined);
    expect([result.os.name, result.device.type]).to.deep.equal(['iOS', 'mobile']);
  });

  for (const row of ROWS) {
    it(`${row.name}: ${row.expect}`, async () => {
      const env = await detectEnvironment(pageOf(row));
      const [withMixin, withBinance] = EXPECTED[row.expect];
      expect(chooseLink(env, MIXIN_DEEP), 'with a mixin: deep link').to.deep.equal(withMixin);
      expect(chooseLink(env, BNC_DEEP), 'with a bnc: deep link').to.deep.equal(withBinance);
    });
  }
});
