/**
 * Broker-mode settings: a JSON file named by BROKER_CONFIG_FILE. Broker mode is off when the
 * variable is unset; a file that does not parse stops the server with a message naming the field.
 */
import { readFileSync } from 'node:fs';
import Big from 'big.js';
import { z } from 'zod';
import { isDecimal } from '../core/amounts.ts';
import { canonicalUuid } from '../core/ids.ts';
import { isSdkPin, SDK_PIN_HELP } from '../mixin/pin.ts';
import { parseWalletSettings, walletEntries } from '../wallets/registry.ts';
import { DEV_MIXPAY_BOT_ID, DEV_BROKER_BOT } from '../sandbox/mixin/dev-bot.ts';

const uuid = z.string().refine((v) => canonicalUuid(v) !== null, 'must be a UUID').transform((v) => canonicalUuid(v)!);
const decimal = z.string().refine(isDecimal, 'must be a decimal string with at most 8 places, e.g. "0.10000000"');
const url = z.string().url().transform((u) => u.replace(/\/+$/, ''));

const assetSchema = z
  .object({
    /** The currency code the wallet charges in for this Mixin asset, e.g. "USDT". */
    currency: z.string().min(1).max(20),
    min: decimal,
    max: decimal,
    min_usdt: decimal,
    max_usdt: decimal,
    /** Fraction added to what the customer pays: "0.0100" is 1 %. */
    fee: decimal,
    /** Alert the operator when the bot holds less than this (optional). */
    alert_below: decimal.optional(),
    /** Places the wallet charges `currency` in (2 for a fiat price); the customer's total rounds up to them. */
    decimals: z.number().int().min(0).max(8).default(8),
  })
  // Zod runs these even when a field above failed, so each guards its own inputs.
  .refine((a) => !isDecimal(a.min) || new Big(a.min).gt(0), { message: 'must be greater than zero', path: ['min'] })
  .refine((a) => !isDecimal(a.min) || !isDecimal(a.max) || new Big(a.min).lte(new Big(a.max)), { message: 'must not be less than min', path: ['max'] })
  .refine((a) => !isDecimal(a.fee) || new Big(a.fee).lt(1), { message: 'must be a fraction below 1 (0.01 = 1 %)', path: ['fee'] });

const payeesSchema = z
  .object({ allow: z.array(uuid).optional(), deny: z.array(uuid).optional() })
  .default({});

/**
 * A wallet: the broker's own fields here, the wallet kind's own settings (base URL, keys) by its
 * entry in server/wallets/registry.ts, with their defaults applied.
 */
const walletSchema = z.looseObject({ kind: z.string(), assets: z.record(uuid, assetSchema), payees: payeesSchema }).transform((wallet, ctx) => {
  const parsed = parseWalletSettings(wallet);
  if (parsed.ok) return { ...wallet, ...parsed.settings };
  for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

const capSchema = (openOrders: number | null) =>
  z
    .object({
      /** Orders holding part of the balance at once, per asset; null for no cap. */
      open_orders: z.number().int().positive().nullable().default(openOrders),
      /** The share of the synced balance (1-100 %) their amounts may hold together, per asset. */
      reserved_percent: z.number().int().min(1).max(100).default(100),
    })
    .default({ open_orders: openOrders, reserved_percent: 100 });

/** A host name, lower case, without a scheme or port: it allows itself and its subdomains. */
const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i, 'must be a host name such as mixpay.me')
  .transform((h) => h.toLowerCase());

/**
 * Who may reserve the bot's balance (issue 13 High 1). Seed 000 defines no authentication, so
 * these are the checks that do not break MixPay's calls; docs/broker.md explains each.
 */
const mixpaySchema = z.object({
  /** MixPay's bot: the only `opponent_id` accepted (seed 000: "MixPay's Mixin robot UUID"). */
  bot_ids: z.array(uuid, 'is required: the Mixin id of MixPay\'s bot, the opponent_id MixPay sends').min(1, 'needs at least MixPay\'s bot id'),
  /** Caller addresses MixPay calls from (TRUST_PROXY rules as for MIXPAY_CALLBACK_IPS); empty accepts any. */
  source_ips: z.array(z.string().min(1).max(64)).default([]),
  /** Hosts a `return_url` may name, with their subdomains; MixPay's pay pages by default. */
  return_hosts: z.array(hostName).min(1).default(['mixpay.me']),
  /** The furthest ahead `expired_at` may lie, in minutes: an open order holds its amount until then. */
  max_expiry_minutes: z.number().int().min(1).max(2880).default(30),
  caps: z
    .object({ payee: capSchema(500), source: capSchema(null) })
    .default({ payee: { open_orders: 500, reserved_percent: 100 }, source: { open_orders: null, reserved_percent: 100 } }),
});

export const brokerConfigSchema = z.object({
  // Parsed from {} when absent, so the error names mixpay.bot_ids.
  mixpay: z.preprocess((v) => v ?? {}, mixpaySchema),
  wallets: z
    .record(z.string().regex(/^[a-z0-9_-]{1,20}$/, 'wallet names are 1-20 chars of a-z 0-9 _ -'), walletSchema)
    .refine((w) => Object.keys(w).length > 0, 'configure at least one wallet'),
  mixin: z.object({
    base_url: url.default('https://api.mixin.one'),
    app_id: uuid,
    session_id: uuid,
    /** Hex Ed25519 seed of the bot's session (APP SESSION `private_key`). */
    session_private_key: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters'),
    /** Hex Ed25519 key Mixin gave the session (`server_public_key`), used to encrypt the PIN. */
    server_public_key: z.string().regex(/^[0-9a-f]{64}$/i, 'must be 64 hex characters'),
    /** The bot's PIN in the hex the SDK sends (server/mixin/pin.ts says which formats). */
    pin: z.string().refine(isSdkPin, SDK_PIN_HELP),
    timeout_ms: z.number().int().positive().default(10_000),
  }),
  alerts: z
    .object({
      url: url.optional(),
      secret: z.string().min(16).optional(),
      /** Minimum seconds between two alerts about the same thing. */
      repeat_seconds: z.number().int().positive().default(600),
    })
    .refine((a) => !a.url || a.secret, { message: 'is required when alerts.url is set', path: ['secret'] })
    .default({ repeat_seconds: 600 }),
  intervals: z
    .object({
      balances_ms: z.number().int().positive().default(10_000),
      snapshots_ms: z.number().int().positive().default(5_000),
      jobs_ms: z.number().int().positive().default(2_000),
      wallet_poll_ms: z.number().int().positive().default(15_000),
    })
    .default({ balances_ms: 10_000, snapshots_ms: 5_000, jobs_ms: 2_000, wallet_poll_ms: 15_000 }),
});

export type BrokerConfig = z.infer<typeof brokerConfigSchema>;
export type WalletConfig = BrokerConfig['wallets'][string];
export type AssetConfig = z.infer<typeof assetSchema>;

export class BrokerConfigError extends Error {
  override name = 'BrokerConfigError';
}

/** Validates a parsed config object; throws naming each bad field (`wallets.binance.assets.<id>.fee`). */
export function parseBrokerConfig(raw: unknown, source = 'broker config'): BrokerConfig {
  const result = brokerConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    throw new BrokerConfigError(`invalid ${source}:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** Reads BROKER_CONFIG_FILE from `env`; null when broker mode is not configured. */
export function loadBrokerConfig(env: Record<string, string | undefined> = process.env): BrokerConfig | null {
  const path = env.BROKER_CONFIG_FILE;
  return path ? loadBrokerConfigFile(path) : null;
}

/** Reads and validates the broker's JSON file; throws naming the file or each bad field. */
export function loadBrokerConfigFile(path: string): BrokerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BrokerConfigError(`BROKER_CONFIG_FILE ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  return parseBrokerConfig(raw, `BROKER_CONFIG_FILE ${path}`);
}

/** USDT on Mixin (ERC-20) and BTC: the assets the development broker offers. */
export const DEV_ASSETS = {
  usdt: '4d8c508b-91c5-375b-92b0-ee702ed2dac5',
  btc: 'c6d0c728-2624-429b-8e0d-d9d19b6592fa',
} as const;

/**
 * Broker settings for `npm start`: the bot, every wallet and the alert URL all point at the
 * built-in sandbox under `<publicUrl>/sandbox`. The keys are public development keys.
 */
export function brokerDevelopmentConfig(publicUrl: string): BrokerConfig {
  const base = `${publicUrl.replace(/\/+$/, '')}/sandbox`;
  const assets = {
    [DEV_ASSETS.usdt]: { currency: 'USDT', min: '0.10000000', max: '1000.00000000', min_usdt: '0.10', max_usdt: '1000.00', fee: '0.0100', alert_below: '50' },
    [DEV_ASSETS.btc]: { currency: 'BTC', min: '0.00000440', max: '0.01000000', min_usdt: '0.10', max_usdt: '1000.00', fee: '0.0100' },
  };
  return parseBrokerConfig(
    {
      // Every registered wallet, against its sandbox, under its kind's name.
      wallets: Object.fromEntries(
        walletEntries().map((entry) => [entry.kind, { kind: entry.kind, ...entry.sandbox.developmentSettings(`${base}/${entry.sandbox.path}`), assets }]),
      ),
      mixin: {
        base_url: `${base}/mixin`,
        app_id: DEV_BROKER_BOT.app_id,
        session_id: DEV_BROKER_BOT.session_id,
        session_private_key: DEV_BROKER_BOT.session_private_key,
        server_public_key: DEV_BROKER_BOT.server_public_key,
        pin: DEV_BROKER_BOT.pin,
      },
      alerts: { url: `${base}/mixin/_sandbox/alerts`, secret: 'dev-broker-alert-secret' },
      // The sandbox plays MixPay: its bot, and its checkout page as a return host.
      mixpay: { bot_ids: [DEV_MIXPAY_BOT_ID], return_hosts: ['mixpay.me', new URL(publicUrl).hostname] },
    },
    'development broker config',
  );
}

export { DEV_MIXPAY_BOT_ID };
