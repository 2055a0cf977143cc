/**
 * Serves the built element to merchants' pages: `/widget/mixpay-button.js` (ES module, with its
 * chunks under `/widget/widget/`) and `/widget/mixpay-button.iife.js`. Only those files: the rest
 * of dist/ (types, the server build) is not the public's business.
 *
 * Module scripts from another origin load only with CORS, so every file carries
 * `Access-Control-Allow-Origin: *`. Chunk names carry a content hash and are cached for a year;
 * the two entry files keep their names across releases and are revalidated after five minutes.
 *
 * Each file is compressed once with node:zlib (brotli at its best quality, gzip at level 9) and the
 * variants kept in memory until the file changes: the files are static, so a request costs a
 * lookup. Brotli goes to clients that accept it (every current browser over https), gzip to the
 * rest, identity to clients that ask for neither; `Vary: Accept-Encoding` tells caches so.
 */
import { stat, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { accepts } from 'hono/accepts';
import { DIST_DIR } from './package-paths.ts';

const ENTRY_FILES = new Set(['mixpay-button.js', 'mixpay-button.iife.js']);
const CHUNK = /^[A-Za-z0-9_-]+\.js$/;
const ENCODINGS = ['br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number] | 'identity';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

interface Variants {
  mtimeMs: number;
  identity: Uint8Array<ArrayBuffer>;
  br: Uint8Array<ArrayBuffer>;
  gzip: Uint8Array<ArrayBuffer>;
}

/** Compresses a file's bytes both ways. */
async function compressBoth(body: Buffer): Promise<Omit<Variants, 'mtimeMs'>> {
  const [br, gz] = await Promise.all([
    brotli(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    gzipped(body, { level: 9 }),
  ]);
  // Plain Uint8Arrays (a Response body), copied once here rather than per request.
  return { identity: new Uint8Array(body), br: new Uint8Array(br), gzip: new Uint8Array(gz) };
}

/** The client's preferred encoding among ours; at equal weight brotli wins (Hono's default keeps header order). */
function chooseEncoding(c: Context): Encoding {
  return accepts(c, {
    header: 'Accept-Encoding',
    supports: [...ENCODINGS],
    default: 'identity',
    match: (offered, { supports }) => {
      const weight = (encoding: string) => offered.find((o) => o.type.toLowerCase() === encoding)?.q ?? offered.find((o) => o.type === '*')?.q ?? 0;
      const best = supports.map((encoding) => ({ encoding, q: weight(encoding) })).filter((e) => e.q > 0).sort((a, b) => b.q - a.q)[0];
      return best?.encoding ?? 'identity';
    },
  }) as Encoding;
}

export function widgetAssets(distDir = DIST_DIR) {
  const root = resolve(distDir);
  const cache = new Map<string, Variants>();
  const variantsOf = async (file: string): Promise<Variants> => {
    const path = join(root, file);
    const { mtimeMs } = await stat(path);
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === mtimeMs) return cached;
    const variants = { mtimeMs, ...(await compressBoth(await readFile(path))) };
    cache.set(file, variants);
    return variants;
  };
  const send = async (c: Context, file: string, cacheControl: string): Promise<Response> => {
    let variants: Variants;
    try {
      variants = await variantsOf(file);
    } catch {
      return new Response(`/* ${file} is not built: run npm run build */`, { status: 404, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
    }
    const encoding = chooseEncoding(c);
    const headers: Record<string, string> = {
      'content-type': 'text/javascript; charset=utf-8',
      'access-control-allow-origin': '*',
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
      vary: 'Accept-Encoding',
    };
    if (encoding !== 'identity') headers['content-encoding'] = encoding;
    return new Response(c.req.method === 'HEAD' ? null : variants[encoding], { headers });
  };
  return new Hono()
    .get('/:file', (c) => {
      const file = c.req.param('file');
      if (!ENTRY_FILES.has(file)) return c.notFound();
      return send(c, file, 'public, max-age=300');
    })
    .get('/widget/:chunk', (c) => {
      const chunk = c.req.param('chunk');
      if (!CHUNK.test(chunk)) return c.notFound();
      return send(c, join('widget', chunk), 'public, max-age=31536000, immutable');
    });
}
