#!/usr/bin/env node
// The installed command: the CLI (server/cli.ts) compiled by tsc into dist/server, run by Node
// with no TypeScript loader. `mixpay-checkout help` lists the commands.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(cli)) {
  // Only in a clone that has not been built: the published package always carries dist/.
  console.error('[mixpay-checkout] dist/server is not built: run `npm run build` (or `npm start` for development)');
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exitCode = await runCli(process.argv.slice(2));
