/**
 * The hosted order page, `GET /pay/{order_id}`: what a phone returns to from MixPay's pay page,
 * what `/v1/orders/{id}/return` falls back to, and what a receipt link points at. It is a small
 * HTML shell around the element itself in `mode="page"` (the element's styles, strings, status
 * follower and states: waiting, pending, paid as a receipt, underpaid with "pay the rest",
 * failed, expired), so the page and the dialog never tell a customer two different stories.
 *
 * The shell carries no inline script and a strict Content-Security-Policy (its one inline style is
 * allowed by hash); every value is escaped by Hono's `html` template. Unknown orders get a styled
 * 404 in the customer's language.
 */
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { MerchantEnv } from './deps.ts';
import { directionOf, matchLocale, type Locale } from '../../widget/i18n/locales.ts';
import { findOrder } from './order-store.ts';

/** The page's own words; the order's state is the element's (widget/i18n/locales). */
const WORDS: Record<Locale, { title: string; back: string; notFound: string }> = {
  en: { title: 'Your order', back: 'Back to the shop', notFound: 'We cannot find this order. Check the link, or ask the shop.' },
  'zh-CN': { title: '您的订单', back: '返回商店', notFound: '找不到此订单。请检查链接或联系商家。' },
  'zh-TW': { title: '您的訂單', back: '返回商店', notFound: '找不到此訂單。請檢查連結或聯絡商家。' },
  ja: { title: 'ご注文', back: 'ショップに戻る', notFound: 'この注文が見つかりません。リンクを確認するか、ショップにお問い合わせください。' },
  ko: { title: '주문', back: '상점으로 돌아가기', notFound: '이 주문을 찾을 수 없습니다. 링크를 확인하거나 상점에 문의하세요.' },
  es: { title: 'Tu pedido', back: 'Volver a la tienda', notFound: 'No encontramos este pedido. Revisa el enlace o pregunta a la tienda.' },
  fr: { title: 'Votre commande', back: 'Retour à la boutique', notFound: 'Commande introuvable. Vérifiez le lien ou contactez la boutique.' },
  de: { title: 'Ihre Bestellung', back: 'Zurück zum Shop', notFound: 'Diese Bestellung gibt es nicht. Prüfen Sie den Link oder fragen Sie den Shop.' },
  'pt-BR': { title: 'Seu pedido', back: 'Voltar à loja', notFound: 'Não encontramos este pedido. Confira o link ou fale com a loja.' },
  ru: { title: 'Ваш заказ', back: 'Вернуться в магазин', notFound: 'Заказ не найден. Проверьте ссылку или обратитесь в магазин.' },
  tr: { title: 'Siparişiniz', back: 'Mağazaya dön', notFound: 'Bu sipariş bulunamadı. Bağlantıyı kontrol edin veya mağazaya sorun.' },
  ar: { title: 'طلبك', back: 'العودة إلى المتجر', notFound: 'لم نجد هذا الطلب. تحقق من الرابط أو اسأل المتجر.' },
};

// Mobile-first, light and dark from the customer's setting; the element brings its own styles.
const STYLE =
  'html{color-scheme:light dark;font-family:system-ui,sans-serif}body{margin:0;min-height:100vh;background:light-dark(#f6f8fa,#0d1117);' +
  'color:light-dark(#1f2328,#e6edf3)}main{box-sizing:border-box;max-width:28rem;margin:0 auto;padding:1rem}' +
  'mixpay-button{display:block;--mixpay-radius:10px}.card{background:light-dark(#fff,#161b22);border-radius:12px;padding:1.25rem;text-align:center}' +
  'a{color:light-dark(#0969da,#4493f8)}.back{text-align:center;margin:1.25rem 0}';
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** No inline script, nothing from elsewhere: the element from /widget/, its calls to this server. */
export const ORDER_PAGE_CSP =
  `default-src 'none'; script-src 'self'; style-src ${STYLE_HASH}; connect-src 'self'; img-src 'self' data:; ` +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The customer's locale: `?lang=`, else the first `Accept-Language` entry we speak, else English. */
export function pageLocale(lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const asked = [lang, ...(acceptLanguage ?? '').split(',').map((part) => part.split(';')[0])];
  for (const tag of asked) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return 'en';
}

function shell(locale: Locale, title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html>
<html lang="${locale}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${title}</title>
<style>${raw(STYLE)}</style>
<script type="module" src="/widget/mixpay-button.js"></script>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** `GET /pay/:id`, mounted by app.ts. */
export function orderPage() {
  const app = new Hono<MerchantEnv>();
  app.get('/:id', async (c) => {
    const { config, store } = c.get('deps');
    const locale = pageLocale(c.req.query('lang'), c.req.header('accept-language'));
    const words = WORDS[locale];
    c.header('content-security-policy', ORDER_PAGE_CSP);
    c.header('cache-control', 'no-store');
    c.header('x-content-type-options', 'nosniff');
    c.header('vary', 'accept-language');
    const order = await findOrder(store.db, c.req.param('id'));
    if (!order) {
      return c.html(shell(locale, words.title, html`<div class="card" role="alert"><h1>404</h1><p>${words.notFound}</p></div>`), 404);
    }
    // "Back to the shop": the merchant's success_url, else the page the checkout started from (its
    // origin checked when it was stored: create-order.ts), else the demo shop when this server serves it.
    const back = order.success_url ?? order.return_to ?? (config.SERVE_DEMO ? `${config.PUBLIC_URL}/` : null);
    // A catalog order offers "start again" (the element's product); a merchant's order cannot be re-created here.
    const element = html`<mixpay-button server="${config.PUBLIC_URL}" order="${order.id}" product="${order.product_id ?? ''}" mode="page" lang="${locale}"></mixpay-button>`;
    return c.html(shell(locale, `${words.title} · ${order.title}`, html`${element}${back ? html`<p class="back"><a href="${back}">${words.back}</a></p>` : ''}`));
  });
  return app;
}
