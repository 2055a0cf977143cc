/**
 * Issue 10's "done when" (a) and (b), as a merchant meets the package: the repository packed, the
 * tarball installed in a fresh project beside React 19, Vue 3 and Vite from the registry (npm's
 * cache first), and `mixpay-checkout init --sandbox` then `serve` from that install, the sandbox
 * playing MixPay. Each page lives on another origin (another port), named in ALLOWED_ORIGINS:
 * (a) a plain HTML page loads the button from node_modules/mixpay-checkout/dist (the IIFE, one
 *     classic script), shows it, and pays;
 * (b) a React 19 app and a Vue 3 app use the shipped types (`mixpay-checkout/widget/react`,
 *     `/widget/vue`): `tsc` / `vue-tsc` check them, `vite build` builds them, and each pays, the
 *     app's own typed handler of `mixpay-success` showing the paid order.
 * Paying: click the button, read the one-time link's code from the dialog's "Open checkout", tell
 * the sandbox to pay it (docs/merchant.md, "The sandbox's simulate API"), and wait for "paid".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { freePort } from '../support/ports.ts';
import { freshProject, healthy, linkSqliteDriver, npm, pack, run, type Running } from '../server/package-tarball.ts';

const APP_PACKAGES = ['react@^19', 'react-dom@^19', '@types/react@^19', '@types/react-dom@^19', 'vue@^3', 'vite', '@vitejs/plugin-react', '@vitejs/plugin-vue', 'vue-tsc', 'typescript@~5.9'];
const PRODUCT = 'example'; // the starter catalog's product (`init`)

/** The files of one app, written under the project (so it resolves the installed packages). */
function writeApp(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

const TYPES = 'type {}'; // `import type {} from …`: the declarations only, as the docs say

const REACT_APP = {
  'index.html': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>React shop</title></head><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>\n',
  'src/main.tsx': `import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
createRoot(document.getElementById('root')!).render(<App />);
`,
  'src/App.tsx': `import { useState } from 'react';
import 'mixpay-checkout/widget';
import ${TYPES} from 'mixpay-checkout/widget/react';

const server = new URLSearchParams(location.search).get('server') ?? '';

export function App() {
  const [paid, setPaid] = useState('');
  return (
    <main>
      <h1>React shop</h1>
      <mixpay-button server={server} product="${PRODUCT}" theme="auto" onmixpay-success={(event) => setPaid(event.detail.order.order_id)} />
      <p id="paid">{paid && \`paid \${paid}\`}</p>
    </main>
  );
}
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
    include: ['src'],
  }),
  'vite.config.ts': `import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
export default defineConfig({ base: './', plugins: [react()], logLevel: 'warn' });
`,
};

const VUE_APP = {
  'index.html': '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vue shop</title></head><body><div id="app"></div><script type="module" src="/src/main.ts"></script></body></html>\n',
  'src/main.ts': `import { createApp } from 'vue';
import App from './App.vue';
createApp(App).mount('#app');
`,
  'src/App.vue': `<script setup lang="ts">
import { ref } from 'vue';
import 'mixpay-checkout/widget';
import ${TYPES} from 'mixpay-checkout/widget/vue';

const server = new URLSearchParams(location.search).get('server') ?? '';
const paid = ref('');
</script>

<template>
  <main>
    <h1>Vue shop</h1>
    <mixpay-button :server="server" product="${PRODUCT}" theme="auto" @mixpay-success="paid = $event.detail.order.order_id" />
    <p id="paid">{{ paid && \`paid \${paid}\` }}</p>
  </main>
</template>
`,
  'tsconfig.json': JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
    include: ['src/**/*.ts', 'src/**/*.vue'],
  }),
  // docs/widget.md, "Vue 3": Vue is told that mixpay-button is a custom element.
  'vite.config.ts': `import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';
export default defineConfig({ base: './', plugins: [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'mixpay-button' } } })], logLevel: 'warn' });
`,
};

const plainPage = (server: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Plain shop</title>
<script src="/node_modules/mixpay-checkout/dist/mixpay-button.iife.js"></script></head>
<body><h1>Plain shop</h1><mixpay-button server="${server}" product="${PRODUCT}"></mixpay-button></body>
</html>
`;

const TYPES_OF: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** The merchant's web server for the pages: static files under `root`, on its own port. */
function staticSite(root: string, port: number): Promise<Server> {
  const site = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url!, 'http://x').pathname));
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    try {
      const body = readFileSync(file);
      response.writeHead(200, { 'content-type': TYPES_OF[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  return new Promise((done) => site.listen(port, '127.0.0.1', () => done(site)));
}

describe('the installed package on pages of another origin: plain HTML, React 19, Vue 3', () => {
  let packs: string;
  let project: string;
  let server: Running;
  let serverUrl: string;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  before(async () => {
    packs = mkdtempSync(join(tmpdir(), 'mixpay-apps-packs-'));
    project = freshProject([pack(packs)], 'mixpay-apps-');
    npm(project, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...APP_PACKAGES]);
    linkSqliteDriver(project);
    const [port, sitePort] = [await freePort(), await freePort()];
    serverUrl = `http://127.0.0.1:${port}`;
    siteUrl = `http://127.0.0.1:${sitePort}`;
    execFileSync('npx', ['mixpay-checkout', 'init', '--sandbox'], { cwd: project, env: { ...process.env, PORT: String(port) }, encoding: 'utf8' });
    // The sandbox's callbacks and timers at test speed; the pages' origin is the only one allowed.
    server = run('npx', ['mixpay-checkout', 'serve'], { cwd: project, env: { ALLOWED_ORIGINS: siteUrl, SANDBOX_TIME_SCALE: '0.001' } });
    await healthy(`${serverUrl}/healthz`, server);
    site = await staticSite(project, sitePort);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => (site ? site.close(done) : done(undefined)));
    await server?.stop();
    for (const dir of [packs, project]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Tells the sandbox to pay the one-time link `code` in full. */
  async function simulatePaid(code: string) {
    const response = await fetch(`${serverUrl}/sandbox/mixpay/payments/${code}/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outcome: 'success' }),
    });
    const answer = (await response.json()) as { success: boolean; data?: { status: string } };
    assert.equal(answer.success, true, JSON.stringify(answer));
  }

  /** Opens `path` on the site, clicks the button, pays through the sandbox; returns the page once paid. */
  async function pay(path: string) {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.addInitScript(() => document.addEventListener('mixpay-success', (event) => ((window as any).__paid = (event as CustomEvent).detail.order.order_id)));
    await page.goto(`${siteUrl}${path}?server=${encodeURIComponent(serverUrl)}`);
    const button = page.locator('mixpay-button button[part~="button"]');
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    await button.click();
    const link = page.locator('mixpay-button dialog[open] a[part~="link"]');
    await link.waitFor({ state: 'visible', timeout: 10_000 });
    const href = (await link.getAttribute('href')) ?? '';
    const code = href.match(/\/code\/([^/?#]+)/)?.[1];
    assert.ok(code, `"Open checkout" names a sandbox link: ${href}`);
    assert.match(href, new RegExp(`^http://localhost:${new URL(serverUrl).port}/sandbox/mixpay/code/`), 'the link is at the sandbox (init --sandbox: MIXPAY_PAY_BASE)');
    await simulatePaid(code);
    await page.waitForFunction(() => (window as any).__paid, undefined, { timeout: 15_000 });
    assert.match(await page.locator('mixpay-button [part~="status"]').first().innerText(), /paid/i);
    assert.deepEqual(problems, []);
    return page;
  }

  test('(a) a plain HTML page loads the button from the installed package (IIFE) and pays', async () => {
    mkdirSync(join(project, 'plain'));
    writeFileSync(join(project, 'plain/index.html'), plainPage(serverUrl));
    const page = await pay('/plain/');
    // The one script on the page is the package's: it defined the element.
    assert.equal(await page.evaluate(() => [...document.scripts].map((s) => new URL(s.src).pathname).join()), '/node_modules/mixpay-checkout/dist/mixpay-button.iife.js');
    assert.equal(await page.evaluate(() => customElements.get('mixpay-button') !== undefined), true);
    await page.close();
  });

  test('(b) a React 19 app with the shipped JSX types: tsc, vite build, and it pays', async () => {
    const app = join(project, 'react');
    writeApp(app, REACT_APP);
    npm(app, ['exec', '--offline', '--', 'tsc', '-p', '.']);
    npm(app, ['exec', '--offline', '--', 'vite', 'build']);
    const page = await pay('/react/dist/');
    const orderId = await page.evaluate(() => (window as any).__paid as string);
    assert.equal(await page.locator('#paid').innerText(), `paid ${orderId}`, "the app's own typed onmixpay-success handler ran");
    await page.close();
  });

  test('(b) a Vue 3 app with the shipped GlobalComponents types: vue-tsc, vite build, and it pays', async () => {
    const app = join(project, 'vue');
    writeApp(app, VUE_APP);
    npm(app, ['exec', '--offline', '--', 'vue-tsc', '-p', '.']);
    npm(app, ['exec', '--offline', '--', 'vite', 'build']);
    const page = await pay('/vue/dist/');
    const orderId = await page.evaluate(() => (window as any).__paid as string);
    assert.equal(await page.locator('#paid').innerText(), `paid ${orderId}`, "the app's own typed @mixpay-success handler ran");
    await page.close();
  });

  test('the shipped types refuse a wrong attribute value in either app', () => {
    writeFileSync(join(project, 'react/src/Wrong.tsx'), `import ${TYPES} from 'mixpay-checkout/widget/react';\nexport const Wrong = () => <mixpay-button theme="pink" />;\n`);
    assert.throws(() => npm(join(project, 'react'), ['exec', '--offline', '--', 'tsc', '-p', '.']), (error: { stdout?: string }) => /Wrong\.tsx.*"pink"/.test(String(error.stdout)));
    writeFileSync(join(project, 'vue/src/Wrong.vue'), `<script setup lang="ts">\nimport ${TYPES} from 'mixpay-checkout/widget/vue';\n</script>\n<template><mixpay-button theme="pink" /></template>\n`);
    assert.throws(() => npm(join(project, 'vue'), ['exec', '--offline', '--', 'vue-tsc', '-p', '.']), (error: { stdout?: string }) => /Wrong\.vue.*"pink"/.test(String(error.stdout)));
  });
});
