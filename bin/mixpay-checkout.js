#!/usr/bin/env node
// The installed command. The server is TypeScript run as is: register tsx's loader, then hand
// over to the CLI (server/cli.ts). `mixpay-checkout help` lists the commands.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../server/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
