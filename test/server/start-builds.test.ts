/**
 * `npm start` redoes a build only when it is out of date (scripts/start-builds.mjs): each output
 * against its sources and the installed dependencies, in a scratch tree with set modification times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error a plain JavaScript script, without declarations
import { BUILDS, staleBuilds } from '../../scripts/start-builds.mjs';

const ALL = ['element', 'admin page', 'server'];

test('a build is redone when its output is missing or older than a source or the installed dependencies, and only then', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'start-builds-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const write = (path: string, seconds: number) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, path);
    utimesSync(file, seconds, seconds);
  };
  for (const path of ['widget/ui/button.ts', 'vite.config.ts', 'server/admin/page/main.ts', 'vite.admin.config.ts', 'server/cli.ts', 'scripts/server-bundle.mjs', 'package.json', 'node_modules/.package-lock.json']) write(path, 1_000);
  assert.deepEqual(staleBuilds(root), ALL, 'nothing built yet');

  for (const { output } of BUILDS as Array<{ output: string }>) write(output, 2_000);
  assert.deepEqual(staleBuilds(root), [], 'every output newer than its sources: straight to the server');

  write('server/merchant/api.ts', 3_000);
  assert.deepEqual(staleBuilds(root), ['server'], 'a server file: only the server bundle');
  write('dist/server/cli.js', 3_000);

  write('widget/ui/deep/nested/strings.ts', 4_000);
  assert.deepEqual(staleBuilds(root), ['element', 'server'], 'a widget file, however deep: the element and the server, which shares its translations');
  write('dist/mixpay-button.js', 4_000);
  write('dist/server/cli.js', 4_000);

  write('vite.admin.config.ts', 5_000);
  assert.deepEqual(staleBuilds(root), ['admin page']);
  write('dist/admin/admin.js', 5_000);
  assert.deepEqual(staleBuilds(root), []);

  write('node_modules/.package-lock.json', 6_000);
  assert.deepEqual(staleBuilds(root), ALL, 'npm install changed the dependencies each output has inside');
  for (const { output } of BUILDS as Array<{ output: string }>) write(output, 6_000);
  assert.deepEqual(staleBuilds(root), [], 'an output as new as its newest source is up to date');
});
