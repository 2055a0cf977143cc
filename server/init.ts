/**
 * `mixpay-checkout init`: writes a starter `.env` and `catalog.json` in the working directory, so
 * that `mixpay-checkout serve` has everything but the two values only the merchant knows
 * (PUBLIC_URL and MIXPAY_PAYEE_ID; serve names them until they are set). The keys are fresh random
 * values from node:crypto. `--sandbox` writes a staging configuration instead: the built-in sandbox
 * plays MixPay on this server, on http://localhost:$PORT, so the install can be tried end to end.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliIo } from './cli.ts';

/** MixPay's own example payee (seed 002): valid in shape, pays out to nobody you know. */
const SANDBOX_PAYEE_ID = 'a0d7791408776b47eb1dd3f94ed15d6a';

const key = (bytes: number) => randomBytes(bytes).toString('hex');

/** The starter `.env`: random keys, the database and catalog beside it, the merchant's two values to fill in. */
export function starterEnv(options: { sandbox: boolean; port: number; now: Date }): string {
  const { sandbox, port } = options;
  const lines = [
    `# Written by \`mixpay-checkout init${sandbox ? ' --sandbox' : ''}\` on ${options.now.toISOString()}.`,
    '# mixpay-checkout reads this file from the working directory; the environment wins over it.',
    '# Keep it out of version control: it holds the keys. Every setting: docs/production.md.',
    '',
  ];
  if (sandbox) {
    lines.push(
      '# Staging: the built-in sandbox plays MixPay on this very server. Never expose it to customers.',
      'NODE_ENV=development',
      'MIXPAY_SANDBOX=1',
      `PORT=${port}`,
      `PUBLIC_URL=http://localhost:${port}`,
      `MIXPAY_API_BASE=http://localhost:${port}/sandbox/mixpay/v1`,
      `MIXPAY_PAY_BASE=http://localhost:${port}/sandbox/mixpay`,
      `MIXPAY_PAYEE_ID=${SANDBOX_PAYEE_ID}`,
    );
  } else {
    lines.push(
      'NODE_ENV=production',
      `PORT=${port}`,
      '# Where customers and MixPay reach this server, over https (behind your TLS proxy):',
      '# PUBLIC_URL=https://pay.your-shop.example',
      '# The Mixin UUID (user, bot or multisig) MixPay pays out to:',
      '# MIXPAY_PAYEE_ID=',
    );
  }
  lines.push(
    '',
    '# The `token` header of the merchant order API (your backend sends it).',
    `MERCHANT_API_KEY=${key(24)}`,
    '# The `x-admin-key` header of the admin API.',
    `ADMIN_API_KEY=${key(24)}`,
    '# Signs the notifications this server sends to your callback_url. While rotating: new,old',
    `WEBHOOK_SECRET=${key(32)}`,
    '',
    'DATABASE_URL=sqlite:./data/mixpay.db',
    'CATALOG_FILE=./catalog.json',
    '',
  );
  return lines.join('\n');
}

/** A one-product catalog that validates against catalog.schema.json. */
export function starterCatalog(): string {
  const catalog = {
    $schema: './node_modules/mixpay-checkout/dist/catalog.schema.json',
    products: [
      {
        id: 'example',
        title: 'Example product',
        description: 'Replace me: the browser names a product id, the price comes from here.',
        price_amount: '1.00',
        price_currency: 'USD',
      },
    ],
  };
  return `${JSON.stringify(catalog, null, 2)}\n`;
}

/** Runs `init`; refuses to overwrite a file unless `--force`. */
export function initCommand(args: string[], io: CliIo): number {
  const { values } = parseArgs({ args, options: { sandbox: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } } });
  const say = (line: string) => io.out(`[mixpay-checkout] ${line}`);
  const files = { '.env': starterEnv({ sandbox: values.sandbox, port: Number(io.env.PORT ?? 8787), now: new Date() }), 'catalog.json': starterCatalog() };
  const existing = Object.keys(files).filter((file) => existsSync(file));
  if (existing.length && !values.force) {
    io.err(`[mixpay-checkout] ${existing.join(' and ')} already exist here; nothing written (--force overwrites them)`);
    return 1;
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(file, text, { mode: file === '.env' ? 0o600 : 0o644 });
  say(`wrote .env (fresh random MERCHANT_API_KEY, ADMIN_API_KEY, WEBHOOK_SECRET; mode 600) and catalog.json`);
  say(values.sandbox ? 'next: mixpay-checkout serve   (staging: the sandbox plays MixPay)' : 'next: set PUBLIC_URL and MIXPAY_PAYEE_ID in .env, put your products in catalog.json, then mixpay-checkout serve');
  return 0;
}
