#!/usr/bin/env node
// After `npm run build:server` (tsc's per-file output in dist/server, which `mixpay-checkout/server`
// and the types use): bundles the CLI, what bin/mixpay-checkout.js runs, into dist/server/cli.js
// with its dependencies inside. Node then reads and compiles a few files instead of ~1,500 (zod,
// kysely, hono, the Mixin SDK...), which is most of the production start (docs/performance.md).
// What a request path does not need at start stays a separate chunk loaded on first use: the
// sandbox, the Mixin SDK. Kept outside the bundle: the database drivers (native or optional peers,
// found in the merchant's node_modules) and pino (its transports run in worker threads by path).
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
rmSync(resolve(root, 'dist/server/chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { cli: 'server/cli.ts' },
  outdir: 'dist/server',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3', 'pg', 'pino'],
  // CommonJS dependencies inside an ES module bundle still call `require` for Node's built-ins.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
  allowOverwrite: true,
});
