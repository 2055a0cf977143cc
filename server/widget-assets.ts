/**
 * Serves the built element to merchants' pages: `/widget/mixpay-button.js` (ES module, with its
 * chunks under `/widget/widget/`) and `/widget/mixpay-button.iife.js`. Only those files: the rest
 * of dist/ (types, the server build) is not the public's business.
 *
 * Module scripts from another origin load only with CORS, so every file carries
 * `Access-Control-Allow-Origin: *`. Chunk names carry a content hash and are cached for a year;
 * the two entry files keep their names across releases and are revalidated after five minutes.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';

const ENTRY_FILES = new Set(['mixpay-button.js', 'mixpay-button.iife.js']);
const CHUNK = /^[A-Za-z0-9_-]+\.js$/;

export function widgetAssets(distDir = 'dist') {
  const root = resolve(distDir);
  const send = async (file: string, cacheControl: string): Promise<Response> => {
    try {
      const body = await readFile(join(root, file));
      return new Response(body, {
        headers: {
          'content-type': 'text/javascript; charset=utf-8',
          'access-control-allow-origin': '*',
          'cache-control': cacheControl,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response(`/* ${file} is not built: run npm run build */`, { status: 404, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    }
  };
  return new Hono()
    .get('/:file', (c) => {
      const file = c.req.param('file');
      if (!ENTRY_FILES.has(file)) return c.notFound();
      return send(file, 'public, max-age=300');
    })
    .get('/widget/:chunk', (c) => {
      const chunk = c.req.param('chunk');
      if (!CHUNK.test(chunk)) return c.notFound();
      return send(join('widget', chunk), 'public, max-age=31536000, immutable');
    });
}
