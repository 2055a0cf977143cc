#!/usr/bin/env node
// `npm start`: the development stack (`mixpay-checkout dev`: demo shop, companion server, MixPay
// sandbox). Each build it needs is redone only when its sources (or the installed dependencies)
// are newer than its output (scripts/start-builds.mjs), so a second start goes straight to the server:
// - the element (vite.config.ts) from widget/, the admin page's script from server/admin/page/;
// - the server, bundled into dist/server/cli.js (scripts/server-bundle.mjs, half a second) from
//   server/ and the element's translations it shares. The server then runs as JavaScript, as
//   installed; `npm run build` does the same and more (types, manifest, package files).
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { staleBuilds } from './start-builds.mjs';

const root = resolve(import.meta.dirname, '..');
process.chdir(root);

function run(what, args) {
  const done = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (done.status !== 0) {
    console.error(`[npm start] ${what} failed`);
    process.exit(done.status ?? 1);
  }
}

const vite = join(root, 'node_modules/vite/bin/vite.js');
const stale = staleBuilds(root);
if (stale.includes('element')) run('building the element', [vite, 'build', '--logLevel', 'warn']);
if (stale.includes('admin page')) run('building the admin page', [vite, 'build', '-c', 'vite.admin.config.ts', '--logLevel', 'warn']);
if (stale.includes('server')) run('bundling the server', ['scripts/server-bundle.mjs']);

// The server in this very process, as bin/mixpay-checkout.js runs it: signals reach its shutdown.
const { runCli } = await import(new URL('../dist/server/cli.js', import.meta.url).href);
process.exitCode = await runCli(['dev', ...process.argv.slice(2)]);
