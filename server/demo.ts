/**
 * Serves the demo shop (demo/) for `npm start`; the element itself comes from widget-assets.ts. Pages carry a strict
 * Content-Security-Policy, the same one the end-to-end suite checks the element under.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Config } from './config.ts';
import { DEMO_DIR } from './package-paths.ts';

export const DEMO_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'";

export function demoApp(config: Config) {
  const app = new Hono();
  app.use(compress());
  const page = (file: string) => () =>
    new Response(readFileSync(join(DEMO_DIR, file), 'utf8').replaceAll('%PUBLIC_URL%', config.PUBLIC_URL), {
      headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': DEMO_CSP },
    });
  app.get('/', page('index.html'));
  app.get('/iife.html', page('iife.html'));
  app.use('/demo/*', serveStatic({ root: DEMO_DIR, rewriteRequestPath: (path) => path.replace(/^\/demo/, '') }));
  return app;
}
