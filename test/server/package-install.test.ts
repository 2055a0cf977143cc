/**
 * The package as a merchant installs it (issue 10): `npm pack` of the repository installed into a
 * fresh project. (c) `mixpay-checkout/server` and `mixpay-checkout/widget` import in plain Node;
 * every export resolves; (d) `init --sandbox` then `serve` answers /healthz and sells the starter
 * catalog's product; `serve` with nothing configured answers in one line per variable; `dev` finds
 * the demo shop and the element in the package from any working directory. The element
 * alone (`mixpay-button`) installs one package, and the server package pulls no database driver.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.ts';
import { freshProject, healthy, installedPackages, linkSqliteDriver, pack, REPO, run } from './package-tarball.ts';

const node = (cwd: string, code: string) => spawnSync('node', ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' });

describe('the packed package, installed in a fresh project', () => {
  let packs: string;
  let project: string;
  let elementOnly: string;

  before(() => {
    packs = mkdtempSync(join(tmpdir(), 'mixpay-packs-'));
    const server = pack(packs);
    const element = pack(packs, join(REPO, 'packages/mixpay-button'));
    project = freshProject([server]);
    elementOnly = freshProject([element]);
  });
  after(() => {
    for (const dir of [packs, project, elementOnly]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the element alone is one package with no dependency', () => {
    assert.deepEqual(installedPackages(elementOnly), ['mixpay-button']);
    const imported = node(elementOnly, "const m = await import('mixpay-button'); console.log(Object.keys(m).join())");
    assert.equal(imported.status, 0, imported.stderr);
    assert.equal(imported.stdout.trim(), 'MixpayButton');
  });

  test('the server package pulls no database driver, no TypeScript loader and nothing to compile', () => {
    const installed = installedPackages(project);
    for (const name of ['better-sqlite3', 'pg', 'tsx', 'typescript', 'lit', 'vite']) assert.ok(!installed.includes(name), `${name} was installed`);
    const native = installed.filter((name) => {
      try {
        const manifest = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'));
        return Boolean(manifest.gypfile || manifest.scripts?.install || manifest.scripts?.postinstall);
      } catch {
        return false;
      }
    });
    assert.deepEqual(native, []);
  });

  test('(c) mixpay-checkout/server and mixpay-checkout/widget import in Node, and every export resolves', () => {
    const code = `
      const server = await import('mixpay-checkout/server');
      const root = await import('mixpay-checkout');
      const widget = await import('mixpay-checkout/widget');
      const { createRequire } = await import('node:module');
      const require = createRequire(import.meta.url);
      const manifest = require('mixpay-checkout/custom-elements.json');
      const schema = require('mixpay-checkout/catalog.schema.json');
      const pkg = require('mixpay-checkout/package.json');
      const iife = import.meta.resolve('mixpay-checkout/widget/iife');
      console.log(JSON.stringify({
        verify: typeof server.verifyWebhook, same: root.verifyWebhook === server.verifyWebhook,
        widget: Object.keys(widget), tag: manifest.modules.some((m) => (m.declarations ?? []).some((d) => d.tagName === 'mixpay-button')),
        schema: schema.required, version: pkg.version, iife: iife.endsWith('/dist/mixpay-button.iife.js'),
      }));`;
    const imported = node(project, code);
    assert.equal(imported.status, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), {
      verify: 'function', same: true, widget: ['MixpayButton'], tag: true, schema: ['products'], version: JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version, iife: true,
    });
  });

  test('serve with nothing configured says what is missing in one line per variable, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mixpay-empty-'));
    try {
      const bin = join(project, 'node_modules/.bin/mixpay-checkout');
      const bare = spawnSync(bin, ['serve'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(bare.status, 1);
      const lines = bare.stderr.trim().split('\n');
      assert.deepEqual(lines, ['[mixpay-checkout] PUBLIC_URL is not set', '[mixpay-checkout] MERCHANT_API_KEY is not set', '[mixpay-checkout] MIXPAY_PAYEE_ID is not set']);
      const badPort = spawnSync(bin, ['migrate'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, DATABASE_URL: 'mysql://x' } });
      assert.equal(badPort.status, 1);
      assert.match(badPort.stderr, /^\[mixpay-checkout\] DATABASE_URL must start with sqlite: or postgres:\/\/, got "mysql:\/\/x"\n$/);
      const noDriver = spawnSync(bin, ['migrate'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(noDriver.status, 1);
      assert.match(noDriver.stderr, /^\[mixpay-checkout\] DATABASE_URL names SQLite, whose driver is not installed: run `npm install better-sqlite3` beside mixpay-checkout\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('(d) init --sandbox, then serve: /healthz answers and the starter catalog sells', async () => {
    linkSqliteDriver(project);
    const port = await freePort();
    const env = { PORT: String(port) };
    execFileSync('npx', ['mixpay-checkout', 'init', '--sandbox'], { cwd: project, env: { ...process.env, ...env }, encoding: 'utf8' });
    const dotenv = readFileSync(join(project, '.env'), 'utf8');
    const keys = ['MERCHANT_API_KEY', 'ADMIN_API_KEY', 'WEBHOOK_SECRET'].map((name) => dotenv.match(new RegExp(`^${name}=([0-9a-f]+)$`, 'm'))?.[1]);
    for (const key of keys) assert.ok(key && key.length >= 48, `a strong random key in .env: ${key}`);
    assert.equal(new Set(keys).size, 3, 'three different keys');
    const server = run('npx', ['mixpay-checkout', 'serve'], { cwd: project, env });
    try {
      await healthy(`http://127.0.0.1:${port}/healthz`, server);
      assert.doesNotMatch(server.output(), /\n\s+at /, 'no stack trace');
      const checkout = await fetch(`http://127.0.0.1:${port}/v1/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
        body: JSON.stringify({ product: 'example' }),
      });
      assert.equal(checkout.status, 201, await checkout.clone().text());
      const element = await fetch(`http://127.0.0.1:${port}/widget/mixpay-button.js`, { headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(element.headers.get('content-encoding'), 'br');
      assert.equal(await element.text(), readFileSync(join(project, 'node_modules/mixpay-checkout/dist/mixpay-button.js'), 'utf8'));
    } finally {
      await server.stop(); // npx itself ends by the signal; the server below it shuts down cleanly
      assert.match(server.output(), /shutting down/);
    }
  });

  test('dev from the installed package serves the demo shop and the element from the package, wherever it runs', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'mixpay-elsewhere-'));
    const port = await freePort();
    const bin = join(project, 'node_modules/.bin/mixpay-checkout');
    const dev = run(bin, ['dev'], { cwd: elsewhere, env: { PORT: String(port), DATABASE_URL: `sqlite:${join(elsewhere, 'dev.db')}` } });
    try {
      await healthy(`http://127.0.0.1:${port}/healthz`, dev);
      const shop = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(shop.status, 200);
      assert.match(await shop.text(), /<mixpay-button/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/widget/mixpay-button.js`)).status, 200);
      assert.match(dev.output(), /development defaults for unset settings \(for this machine only/);
      assert.match(dev.output(), new RegExp(`development keys: random for this data directory, kept in ${join(elsewhere, 'dev-keys.json')}`));
    } finally {
      await dev.stop();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
