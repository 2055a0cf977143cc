import type { Environment } from '../../widget/choose-link.ts';
import type { EnvironmentSignals } from '../../widget/environment.ts';

/** A real user-agent string, what else the page could see, and the environment it must yield. */
export interface UserAgentCase {
  name: string;
  ua: string;
  signals?: Omit<EnvironmentSignals, 'userAgent'>;
  expect: Environment;
}

const desktop = (): Environment => ({ form: 'desktop', walletScheme: null, inAppBrowser: null });
const phone = (): Environment => ({ form: 'phone', walletScheme: null, inAppBrowser: null });
const tablet = (): Environment => ({ form: 'tablet', walletScheme: null, inAppBrowser: null });
const unknown = (): Environment => ({ form: 'unknown', walletScheme: null, inAppBrowser: null });
const inApp = (form: Environment['form'], app: Environment['inAppBrowser']): Environment => ({ form, walletScheme: null, inAppBrowser: app });
const wallet = (form: Environment['form'], scheme: string): Environment => ({ form, walletScheme: scheme, inAppBrowser: null });

export const USER_AGENTS: UserAgentCase[] = [
  // Desktop browsers
  { name: 'Chrome on Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', expect: desktop() },
  { name: 'Edge on Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51', expect: desktop() },
  { name: 'Firefox on Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0', expect: desktop() },
  { name: 'Opera on Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0', expect: desktop() },
  { name: 'Safari on macOS', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', signals: { maxTouchPoints: 0 }, expect: desktop() },
  { name: 'Chrome on macOS', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', signals: { mobileHint: false }, expect: desktop() },
  { name: 'Firefox on Linux', ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', expect: desktop() },
  { name: 'Chrome on Linux', ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', expect: desktop() },
  { name: 'Firefox on Ubuntu', ua: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:124.0) Gecko/20100101 Firefox/124.0', expect: desktop() },
  { name: 'Chrome on ChromeOS', ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', expect: desktop() },
  { name: 'Headless Chrome (this test runner)', ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/141.0.0.0 Safari/537.36', expect: desktop() },

  // Phones
  { name: 'Safari on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1', expect: phone() },
  { name: 'Chrome on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/124.0.6367.88 Mobile/15E148 Safari/604.1', expect: phone() },
  { name: 'Firefox on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/125.0 Mobile/15E148 Safari/605.1.15', expect: phone() },
  { name: 'Chrome on Android (reduced UA)', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36', signals: { mobileHint: true }, expect: phone() },
  { name: 'Chrome on Pixel 8', ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36', expect: phone() },
  { name: 'Samsung Internet', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36', expect: phone() },
  { name: 'Firefox on Android', ua: 'Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0', expect: phone() },
  { name: 'MIUI Browser', ua: 'Mozilla/5.0 (Linux; U; Android 13; zh-cn; 2211133C Build/TKQ1.220905.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.118 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.8.180416', expect: phone() },
  { name: 'Huawei Browser', ua: 'Mozilla/5.0 (Linux; Android 12; NOH-AN00; HMSCore 6.13.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36', expect: phone() },
  { name: 'UC Browser', ua: 'Mozilla/5.0 (Linux; U; Android 11; en-US; RMX2193 Build/RP1A.201005.001) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.58 UCBrowser/13.4.0.1306 Mobile Safari/537.36', expect: phone() },
  { name: 'Opera on Android', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 OPR/81.0.4254.76963', expect: phone() },
  { name: 'Edge on Android', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 EdgA/124.0.2478.64', expect: phone() },

  // Tablets
  { name: 'Safari on iPad (iPadOS 12)', ua: 'Mozilla/5.0 (iPad; CPU OS 12_5_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/12.1.2 Mobile/15E148 Safari/604.1', expect: tablet() },
  { name: 'Safari on iPad (iPadOS 17 claims to be a Mac)', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', signals: { maxTouchPoints: 5 }, expect: tablet() },
  { name: 'Chrome on a Samsung tablet', ua: 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', expect: tablet() },
  { name: 'Chrome on an Android tablet (reduced UA)', ua: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', signals: { mobileHint: false }, expect: tablet() },
  { name: 'Silk on a Kindle Fire', ua: 'Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 like Chrome/124.0.6367.118 Safari/537.36', expect: tablet() },

  // In-app browsers that block custom schemes
  { name: 'WeChat on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN', expect: inApp('phone', 'wechat') },
  { name: 'WeChat on Android', ua: 'Mozilla/5.0 (Linux; Android 13; V2203A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64', expect: inApp('phone', 'wechat') },
  { name: 'WeChat for Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x6309092b) XWEB/9129 Flue', expect: inApp('desktop', 'wechat') },
  { name: 'Facebook on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/458.0.0.34.109;FBBV/574488181;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.4.1;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/576156464]', expect: inApp('phone', 'facebook') },
  { name: 'Facebook on Android', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/462.0.0.44.94;]', expect: inApp('phone', 'facebook') },
  { name: 'Messenger on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/MessengerForiOS;FBAV/454.0.0.40.109;FBBV/568219839;FBDV/iPhone14,7;FBMD/iPhone;FBSN/iOS;FBSV/17.3;FBSS/3;FBCR/;FBID/phone;FBLC/en_US;FBOP/5]', expect: inApp('phone', 'facebook') },
  { name: 'Instagram on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 329.0.3.29.108 (iPhone14,5; iOS 17_4_1; en_US; en; scale=3.00; 1170x2532; 592950640)', expect: inApp('phone', 'instagram') },
  { name: 'Instagram on Android', ua: 'Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Instagram 328.0.0.42.90 Android (34/14; 420dpi; 1080x2205; Google/google; Pixel 7; panther; panther; en_US; 589152427)', expect: inApp('phone', 'instagram') },
  { name: 'LINE on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.5.0', expect: inApp('phone', 'line') },
  { name: 'LINE on Android', ua: 'Mozilla/5.0 (Linux; Android 13; SO-51C Build/64.1.B.2.143; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Line/14.6.1/IAB', expect: inApp('phone', 'line') },
  { name: 'Telegram on Android', ua: 'Mozilla/5.0 (Linux; Android 13; SM-A536B Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 Telegram-Android/10.11.1 (Samsung SM-A536B; Android 13; SDK 33; AVERAGE)', expect: inApp('phone', 'telegram') },
  { name: 'Telegram on iPhone (known only by its bridge)', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', signals: { telegramBridge: true }, expect: inApp('phone', 'telegram') },
  { name: 'TikTok on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_33.8.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US', expect: inApp('phone', 'tiktok') },

  // Inside the wallets themselves
  { name: 'Mixin Messenger on Android', ua: 'Mozilla/5.0 (Linux; Android 13; Pixel 6 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 Mixin/1.6.2 Channel/GooglePlay Language/en', expect: wallet('phone', 'mixin:') },
  { name: 'Mixin Messenger on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Mixin/0.40.4', expect: wallet('phone', 'mixin:') },
  { name: 'Mixin Messenger on iPhone (known only by its bridge)', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148', signals: { mixinBridge: true }, expect: wallet('phone', 'mixin:') },
  { name: 'Mixin Messenger desktop', ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Mixin/1.9.0', signals: { maxTouchPoints: 0 }, expect: wallet('desktop', 'mixin:') },
  { name: 'Binance app on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 BNC/2.80.3 (iPhone; iOS 17.4; Scale/3.00)', expect: wallet('phone', 'bnc:') },
  { name: 'Binance app on Android', ua: 'Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 BNC/2.81.2 (Android 14)', expect: wallet('phone', 'bnc:') },

  { name: 'QQ on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 QQ/9.0.1.613 V1_IPH_SQ_9.0.1_1_APP_A Pixel/1179 Core/WKWebView Device/Apple(iPhone 15 Pro) NetType/WIFI QBWebViewType/1 WKType/1', expect: inApp('phone', 'qq') },
  { name: 'Snapchat on iPhone', ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/13.10.0.31 (like Safari/8617.2.4.10.8, panda)', expect: inApp('phone', 'snapchat') },
  { name: 'QQ Browser (a browser, not the QQ app)', ua: 'Mozilla/5.0 (Linux; U; Android 13; zh-cn; PGT-AN10 Build/HONORPGT-AN10) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/109.0.5414.86 MQQBrowser/14.9 Mobile Safari/537.36 COVC/046719', expect: phone() },
  { name: 'Samsung Internet on a Galaxy Tab', ua: 'Mozilla/5.0 (Linux; Android 12; SM-X706B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/20.0 Chrome/106.0.5249.126 Safari/537.36', expect: tablet() },
  { name: 'Huawei MatePad (HarmonyOS)', ua: 'Mozilla/5.0 (Linux; Android 10; HarmonyOS; BAH3-W09; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/13.0.5.303 Safari/537.36', expect: tablet() },
  { name: 'Yandex Browser on Windows', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 YaBrowser/24.4.0.0 Safari/537.36', expect: desktop() },

  // Anything else gets the safe default
  { name: 'Meta Quest headset', ua: 'Mozilla/5.0 (X11; Linux x86_64; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/31.0.0.6.58 SamsungBrowser/4.0 Chrome/120.0.6099.283 VR Safari/537.36', expect: unknown() },
  { name: 'Edge on Xbox', ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; Xbox; Xbox One) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0', expect: unknown() },
  { name: 'Samsung smart TV', ua: 'Mozilla/5.0 (SMART-TV; LINUX; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) 76.0.3809.146/6.0 TV Safari/537.36', expect: unknown() },
  { name: 'PlayStation 5', ua: 'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0 Safari/605.1.15', expect: unknown() },
  { name: 'Googlebot', ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', expect: unknown() },
  { name: 'curl', ua: 'curl/8.5.0', expect: unknown() },
  { name: 'an empty user agent', ua: '', expect: unknown() },
  { name: 'an unknown UA whose Client Hints say mobile', ua: 'SomeBrowser/1.0', signals: { mobileHint: true }, expect: phone() },
];
