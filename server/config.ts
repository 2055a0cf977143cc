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
  /** Asset the merchant is settled in; defaults to USDT (ERC-20) on Mixin. */
  MIXPAY_SETTLEMENT_ASSET_ID: z.string().default('4d8c508b-91c5-375b-92b0-ee702ed2dac5'),
  MIXPAY_API_BASE: z.string().url().default('https://api.mixpay.me/v1'),
  /** Base of hosted pay pages: `<base>/code/<code>`. */
  MIXPAY_PAY_BASE: z.string().url().default('https://mixpay.me'),
  /** How long a one-time link stays payable (MixPay allows 10 s to 2880 min). */
  ORDER_EXPIRY_SECONDS: seconds.min(11).max(2880 * 60 - 1).default(900),
  /** JSON product catalog for the public `POST /v1/checkout`. */
  CATALOG_FILE: z.string().default('demo/products.json'),
  /** Mounts the offline MixPay stand-in under /sandbox. Never on in production unless asked. */
  MIXPAY_SANDBOX: bool.default(false),
  /** Multiplies the sandbox's callback retry delays; 0.001 runs MixPay's 2-hour schedule in seconds. */
  SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /** Serves demo/ at `/`. */
  SERVE_DEMO: bool.default(false),
  /** Origins allowed to call the public checkout endpoints from a browser; `*` for any. */
  ALLOWED_ORIGINS: z.string().default('*'),
});

export type Config = z.infer<typeof configSchema>;

/** Values `npm start` (the `dev` command) fills in when unset, printed at start-up. */
export function developmentDefaults(port: number): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PUBLIC_URL: `http://localhost:${port}`,
    MERCHANT_API_KEY: 'dev-merchant-key',
    MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a',
    MIXPAY_SANDBOX: '1',
    SERVE_DEMO: '1',
    MIXPAY_API_BASE: `http://localhost:${port}/sandbox/mixpay/v1`,
    MIXPAY_PAY_BASE: `http://localhost:${port}/sandbox/mixpay`,
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
