import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { widgetAssets } from '../../server/widget-assets.ts';

describe('serving the built element', () => {
  let dist: string;
  let app: ReturnType<typeof widgetAssets>;

  before(() => {
    dist = mkdtempSync(join(tmpdir(), 'mixpay-dist-'));
    mkdirSync(join(dist, 'widget'));
    mkdirSync(join(dist, 'server'));
    writeFileSync(join(dist, 'mixpay-button.js'), 'export {};');
    writeFileSync(join(dist, 'mixpay-button.iife.js'), '(()=>{})();');
    writeFileSync(join(dist, 'widget', 'qr-matrix-Ab12.js'), 'export const q = 1;');
    writeFileSync(join(dist, 'server', 'index.js'), 'secret server build');
    app = widgetAssets(dist);
  });
  after(() => rmSync(dist, { recursive: true, force: true }));

  test('entry files load cross-origin, revalidated after five minutes', async () => {
    for (const file of ['mixpay-button.js', 'mixpay-button.iife.js']) {
      const response = await app.request(`/${file}`, { headers: { origin: 'https://shop.example' } });
      assert.equal(response.status, 200, file);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.match(response.headers.get('content-type') ?? '', /^text\/javascript/);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    }
  });

  test('hashed chunks are immutable', async () => {
    const response = await app.request('/widget/qr-matrix-Ab12.js');
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'export const q = 1;');
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
  });

  test('nothing else under dist is served, however the path is spelled', async () => {
    for (const path of ['/server/index.js', '/widget/..%2Fserver%2Findex.js', '/widget/../server/index.js', '/types/index.d.ts', '/widget/x.ts', '/%2e%2e/package.json']) {
      const response = await app.request(path);
      assert.notEqual(response.status, 200, path);
      assert.doesNotMatch(await response.text(), /secret server build/, path);
    }
  });

  test('a missing build says how to make it', async () => {
    const response = await widgetAssets(join(dist, 'nowhere')).request('/mixpay-button.js');
    assert.equal(response.status, 404);
    assert.match(await response.text(), /npm run build/);
  });
});
