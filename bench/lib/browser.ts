/**
 * Headless Debian Chromium through playwright-core (a browser download cannot work here), with
 * the flags the end-to-end suite uses, and a merchant page on its own loopback origin that loads
 * the element from the server under test, as a shop embedding it with one script tag would.
 */
import { createServer, type Server } from 'node:http';
import { freePort } from '../../test/support/ports.ts';

// The end-to-end suite's browser, flags included.
export { launchChromium } from '../../test/support/browser.ts';

export interface MerchantPage {
  url: string;
  close(): Promise<void>;
}

/** Serves an empty page that loads `<server>/widget/mixpay-button.js`. */
export async function serveMerchantPage(server: string): Promise<MerchantPage> {
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>bench shop</title>
<script type="module" src="${server}/widget/mixpay-button.js"></script><body></body></html>`;
  const http: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(html);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
