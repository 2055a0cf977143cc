/**
 * What the server sends browsers is compressed (issue 10 §5): the element's files in brotli or
 * gzip as the client accepts, identity otherwise, always with `Vary: Accept-Encoding`; hashed
 * chunks stay immutable; the demo shop's pages go through Hono's compress middleware.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { widgetAssets } from '../../server/widget-assets.ts';
import { demoApp } from '../../server/demo.ts';
import { loadConfig } from '../../server/config.ts';

// Text that compresses, as minified JavaScript does.
const ENTRY = `export const strings = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `mixpay-button string ${i % 37}`))};\n`;

describe('compression of what browsers load', () => {
  let dist: string;
  let app: ReturnType<typeof widgetAssets>;

  before(() => {
    dist = mkdtempSync(join(tmpdir(), 'mixpay-dist-'));
    mkdirSync(join(dist, 'widget'));
    writeFileSync(join(dist, 'mixpay-button.js'), ENTRY);
    writeFileSync(join(dist, 'widget', 'qr-matrix-Ab12.js'), ENTRY);
    app = widgetAssets(dist);
  });
  after(() => rmSync(dist, { recursive: true, force: true }));

  const get = (path: string, acceptEncoding?: string) => app.request(path, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });
  const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

  test('brotli when accepted (a browser sends gzip, deflate, br), smaller than gzip', async () => {
    const br = await get('/mixpay-button.js', 'gzip, deflate, br, zstd');
    assert.equal(br.headers.get('content-encoding'), 'br');
    assert.equal(br.headers.get('vary'), 'Accept-Encoding');
    const brBody = await bytes(br);
    assert.equal(brotliDecompressSync(brBody).toString(), ENTRY);
    const gz = await get('/mixpay-button.js', 'gzip');
    assert.equal(gz.headers.get('content-encoding'), 'gzip');
    const gzBody = await bytes(gz);
    assert.equal(gunzipSync(gzBody).toString(), ENTRY);
    assert.ok(brBody.length < gzBody.length && gzBody.length < ENTRY.length / 4, `br ${brBody.length} < gzip ${gzBody.length} < raw ${ENTRY.length}`);
  });

  test('the client’s weights decide; q=0 refuses; nothing accepted means identity', async () => {
    assert.equal((await get('/mixpay-button.js', 'br;q=0.5, gzip;q=0.9')).headers.get('content-encoding'), 'gzip');
    assert.equal((await get('/mixpay-button.js', 'br;q=0, *')).headers.get('content-encoding'), 'gzip');
    for (const header of [undefined, 'identity', 'deflate']) {
      const plain = await get('/mixpay-button.js', header);
      assert.equal(plain.headers.get('content-encoding'), null, String(header));
      assert.equal(plain.headers.get('vary'), 'Accept-Encoding');
      assert.equal(await plain.text(), ENTRY);
    }
  });

  test('hashed chunks are compressed and still immutable', async () => {
    const chunk = await get('/widget/qr-matrix-Ab12.js', 'br');
    assert.equal(chunk.headers.get('content-encoding'), 'br');
    assert.equal(chunk.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(chunk.headers.get('access-control-allow-origin'), '*');
  });

  test('a rebuilt file is compressed again, not served stale', async () => {
    const path = join(dist, 'mixpay-button.js');
    const changed = ENTRY.replace('string 0', 'string zero');
    writeFileSync(path, changed);
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    assert.equal(gunzipSync(await bytes(await get('/mixpay-button.js', 'gzip'))).toString(), changed);
  });

  test('the demo shop’s pages are gzip-compressed by Hono’s middleware', async () => {
    const config = loadConfig({ PUBLIC_URL: 'http://localhost:8787', MERCHANT_API_KEY: 'k'.repeat(16), MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a' });
    const page = await demoApp(config).request('/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-encoding'), 'gzip');
    assert.match(page.headers.get('vary') ?? '', /Accept-Encoding/);
    assert.match(gunzipSync(await bytes(page)).toString(), /<mixpay-button/);
  });
});
