/**
 * Settings come from the environment, optionally merged over a JSON config file
 * (`CONFIG_FILE`). The schema is parsed once at start-up; a bad value stops the
 * server with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

const seconds = z.coerce.number().int().positive();

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('0.0.0.0'),
  /** Where customers and MixPay reach this server; callbacks and return pages are built from it. */
  PUBLIC_URL: z.string().url().transform((u) => u.replace(/\/+$/, '')),
  DATABASE_URL: z.string().default('sqlite:./data/mixpay.db'),
  /** The `token` header value that authenticates the merchant's backend (as MugglePay's API key). */
  MERCHANT_API_KEY: z.string().min(8),
  /** Mixin UUID (user, bot or multisig) that MixPay pays out to. */
  MIXPAY_PAYEE_ID: z.string().min(32).max(36),
  /** The shop's name, shown to customers as the payee in the checkout dialog. */
  MERCHANT_NAME: z.string().trim().min(1).max(100).optional(),
  /** Asset the merchant is settled in; defaults to USDT (ERC-20) on Mixin. */
  MIXPAY_SETTLEMENT_ASSET_ID: z.string().default('4d8c508b-91c5-375b-92b0-ee702ed2dac5'),
  MIXPAY_API_BASE: z.string().url().default('https://api.mixpay.me/v1'),
  /** Base of hosted pay pages: `<base>/code/<code>`. */
  MIXPAY_PAY_BASE: z.string().url().default('https://mixpay.me'),
  /** How long a one-time link stays payable (MixPay allows 10 s to 2880 min). */
  // At least 30 s: MixPay refuses an expiry less than 10 s ahead by the time the request lands.
  ORDER_EXPIRY_SECONDS: seconds.min(30).max(2880 * 60 - 60).default(900),
  /** JSON product catalog for the public `POST /v1/checkout`. */
  CATALOG_FILE: z.string().default('demo/products.json'),
  /** Mounts the offline MixPay stand-in under /sandbox. Never on in production unless asked. */
  MIXPAY_SANDBOX: bool.default(false),
  /** Multiplies the sandbox's callback retry delays; 0.001 runs MixPay's 2-hour schedule in seconds. */
  SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /** MixPay's per-caller budget in the sandbox (60 in production); unset = no limit. Set it to rehearse 1429 answers. */
  SANDBOX_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().optional(),
  /** Serves demo/ at `/`. */
  SERVE_DEMO: bool.default(false),
  /** Checkouts (`POST /v1/checkout`, public) one caller may start a minute; 0 for no limit. */
  CHECKOUT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(20),
  /** Behind a reverse proxy: take the caller's address from the last `X-Forwarded-For` entry. */
  TRUST_PROXY: bool.default(false),
  /**
   * Optional: the only addresses `/mixpay/callback` accepts (MixPay publishes 52.198.117.57;
   * contracts §1), comma-separated; unset accepts any caller. Every accepted callback is still
   * checked against /payments_result: this only keeps strangers from spending the MixPay budget.
   */
  MIXPAY_CALLBACK_IPS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  /** Origins allowed to call the public checkout endpoints from a browser; `*` for any. */
  ALLOWED_ORIGINS: z.string().default('*'),
  /**
   * Signs notifications to the merchant (`Mixpay-Checkout-Signature`). Comma-separated while
   * rotating: every secret listed signs (one `v1=` each); put the new one first.
   */
  WEBHOOK_SECRET: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean))
    .refine((list) => list.every((s) => s.length >= 16), 'each secret must be at least 16 characters'),
  /** The `token` header of the admin API and the CLI's view of it; unset turns the admin API off. */
  ADMIN_API_KEY: z.string().min(16).optional(),
  /** Bearer token `/metrics` asks for; unset, it answers loopback callers only. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** MixPay allows 60 calls a minute per caller (contracts §1); the whole installation stays below this. */
  MIXPAY_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(58).default(50),
  /** Calls the reconciler leaves in the bucket for callbacks and new links (at most the bucket's size, 59 - MIXPAY_CALLS_PER_MINUTE, minus one). */
  MIXPAY_RESERVED_CALLS: z.coerce.number().int().min(0).max(57).default(3),
  /** How long past its expiry an unpaid order waits (for late confirmations) before it is checked once more and EXPIRED. */
  ORDER_EXPIRY_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Runs the reconciler and the notification sender in this process (turn off on extra web-only processes). */
  RUN_WORKERS: bool.default(true),
  /** How often the reconciler looks for orders due a check. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * Income check (seed 003 §3): when the payee (MIXPAY_PAYEE_ID) is a Mixin bot and its keys are
   * set here, an order becomes PAID only after the bot's snapshots show MixPay's transfer for it.
   */
  MIXIN_API_BASE: z.string().url().default('https://api.mixin.one'),
  MIXIN_APP_ID: z.string().uuid().optional(),
  MIXIN_SESSION_ID: z.string().uuid().optional(),
  MIXIN_SESSION_PRIVATE_KEY: z.string().min(32).optional(),
  MIXIN_SERVER_PUBLIC_KEY: z.string().min(32).optional(),
  /** How often the income watcher reads the bot's snapshots. */
  INCOME_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** How often the notification sender looks for due events. */
  NOTIFY_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(1_000),
});

export type Config = z.infer<typeof configSchema>;

/** Values `npm start` (the `dev` command) fills in when unset, printed at start-up. */
export function developmentDefaults(port: number): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PUBLIC_URL: `http://localhost:${port}`,
    MERCHANT_API_KEY: 'dev-merchant-key',
    MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a',
    MERCHANT_NAME: 'Demo shop',
    MIXPAY_SANDBOX: '1',
    SERVE_DEMO: '1',
    MIXPAY_API_BASE: `http://localhost:${port}/sandbox/mixpay/v1`,
    MIXPAY_PAY_BASE: `http://localhost:${port}/sandbox/mixpay`,
    WEBHOOK_SECRET: 'dev-webhook-secret-change-me',
    ADMIN_API_KEY: 'dev-admin-key-change-me',
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads `CONFIG_FILE` (JSON object of the same names) when set; environment wins over the file. */
export function readConfigFile(env: Record<string, string | undefined>): Record<string, unknown> {
  const path = env.CONFIG_FILE;
  if (!path) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`CONFIG_FILE ${path} must hold a JSON object`);
    }
    return parsed as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`CONFIG_FILE ${path} could not be read: ${(error as Error).message}`);
  }
}

/** The payee bot's keys when the income check applies (keys set and the bot is the payee), else null. */
export function incomeCheckKeys(config: Config) {
  const { MIXIN_APP_ID, MIXIN_SESSION_ID, MIXIN_SESSION_PRIVATE_KEY, MIXIN_SERVER_PUBLIC_KEY } = config;
  if (!MIXIN_APP_ID || !MIXIN_SESSION_ID || !MIXIN_SESSION_PRIVATE_KEY || !MIXIN_SERVER_PUBLIC_KEY) return null;
  const norm = (id: string) => id.toLowerCase().replace(/-/g, '');
  if (norm(MIXIN_APP_ID) !== norm(config.MIXPAY_PAYEE_ID)) return null;
  return { baseUrl: config.MIXIN_API_BASE, app_id: MIXIN_APP_ID, session_id: MIXIN_SESSION_ID, session_private_key: MIXIN_SESSION_PRIVATE_KEY, server_public_key: MIXIN_SERVER_PUBLIC_KEY };
}

/**
 * What `serve` demands before it starts in production (issue 4 §9): an https public URL, the API
 * keys and a webhook secret. Returns one line per missing or unsafe setting; empty when ready.
 */
export function productionProblems(config: Config): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (!config.PUBLIC_URL.startsWith('https://')) problems.push(`PUBLIC_URL must be https:// in production (MixPay only calls https callbacks), got ${config.PUBLIC_URL}`);
  if (config.MERCHANT_API_KEY.length < 16 || /^dev-/.test(config.MERCHANT_API_KEY)) problems.push('MERCHANT_API_KEY must be a random value of at least 16 characters (e.g. `openssl rand -hex 24`)');
  if (!config.ADMIN_API_KEY || /^dev-/.test(config.ADMIN_API_KEY)) problems.push('ADMIN_API_KEY is missing: set a random value of at least 16 characters (e.g. `openssl rand -hex 24`)');
  if (config.ADMIN_API_KEY && config.ADMIN_API_KEY === config.MERCHANT_API_KEY) problems.push('ADMIN_API_KEY must differ from MERCHANT_API_KEY');
  if (!config.WEBHOOK_SECRET.length || config.WEBHOOK_SECRET.some((s) => /^dev-/.test(s))) problems.push('WEBHOOK_SECRET is missing: set a random value of at least 16 characters (e.g. `openssl rand -hex 32`)');
  if (config.MIXPAY_SANDBOX) problems.push('MIXPAY_SANDBOX must be off in production');
  return problems;
}

/** Parses settings; throws a ConfigError naming every variable that is missing or wrong. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  defaults: Record<string, string> = {},
): Config {
  const merged: Record<string, unknown> = { ...defaults, ...readConfigFile(env) };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
