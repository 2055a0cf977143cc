/**
 * Serves the demo shop (demo/) for `npm start`; the element itself comes from widget-assets.ts. Pages carry a strict
 * Content-Security-Policy, the same one the end-to-end suite checks the element under.
 */
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Config } from './config.ts';

export const DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

export function demoApp(config: Config) {
  const app = new Hono();
  const page = (file: string) => () =>
    new Response(readFileSync(`demo/${file}`, 'utf8').replaceAll('%PUBLIC_URL%', config.PUBLIC_URL), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DEMO_CSP },
    });
  app.get('/', page('index.html'));
  app.get('/iife.html', page('iife.html'));
  app.use('/demo/*', serveStatic({ root: './demo', rewriteRequestPath: (path) => path.replace(/^\/demo/, '') }));
  return app;
}
