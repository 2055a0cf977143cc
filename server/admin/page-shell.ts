/**
 * The admin page's HTML and its Content-Security-Policy. The document carries no data and no
 * inline script or style: the page is the `<mixpay-admin>` element (server/admin/page/, built by
 * vite.admin.config.ts into dist/admin/admin.js), which reads everything through /admin/api.
 */
export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every admin response: no framing, no sniffing, no referrer, no caching of data. */
export const ADMIN_HEADERS: Record<string, string> = {
  'content-security-policy': ADMIN_CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>MixPay checkout · admin</title>
<link rel="stylesheet" href="/admin/assets/admin.css">
<script type="module" src="/admin/assets/admin.js"></script>
</head>
<body>
<mixpay-admin></mixpay-admin>
<noscript>The admin page needs JavaScript. The same data is in the admin API: GET /admin/v1/orders with the x-admin-key header.</noscript>
</body>
</html>
`;

export const ADMIN_CSS = `:root{color-scheme:light dark;font-family:system-ui,sans-serif;background:light-dark(#f6f8fa,#0d1117);color:light-dark(#1f2328,#e6edf3)}
body{margin:0}
noscript{display:block;padding:2rem}
`;
