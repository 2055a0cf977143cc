/**
 * Settings come from the environment, optionally merged over a JSON config file
 * (`CONFIG_FILE`). The schema is parsed once at start-up; a bad value stops the
 * server with a message that names the variable. Each half owns its part: the merchant's keys
 * (server/merchant/config.ts) and the broker's file (BROKER_CONFIG_FILE, server/broker/config.ts),
 * both parsed here into the one `Config` the composition root builds the halves from.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { DEMO_DIR } from './package-paths.ts';
import { ConfigError } from './core/config-error.ts';
import { brokerDevelopmentConfig, BrokerConfigError, loadBrokerConfigFile, type BrokerConfig } from './broker/config.ts';
import { bool, incomeCheckKeys, merchantConfigShape, type MerchantConfig } from './merchant/config.ts';

export { incomeCheckKeys, type MerchantConfig };

/** Where the data lives unless DATABASE_URL says otherwise. */
export const DEFAULT_DATABASE_URL = 'sqlite:./data/mixpay.db';

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** The interface to listen on; loopback unless asked (`HOST=0.0.0.0` in a container or without a proxy in front). */
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().default(DEFAULT_DATABASE_URL),
  /** How much the JSON log says (pino's levels); `silent` says nothing. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ...merchantConfigShape,
  /** Multiplies the sandbox's callback retry delays; 0.001 runs MixPay's 2-hour schedule in seconds. */
  SANDBOX_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
  /** MixPay's per-caller budget in the sandbox: 60 as in production; `unlimited` turns it off. */
  SANDBOX_RATE_LIMIT_PER_MINUTE: z.union([z.literal('unlimited'), z.coerce.number().int().positive()]).default(60),
  /** Runs the reconciler and the notification sender in this process (turn off on extra web-only processes). */
  RUN_WORKERS: bool.default(true),
  /** Broker mode (docs/broker.md): a JSON file of the broker's settings; unset leaves broker mode off (dev: the sandbox's broker). */
  BROKER_CONFIG_FILE: z.string().min(1).optional(),
});

/** Every setting, parsed; `broker` is the broker's own file (BROKER_CONFIG_FILE), parsed too, or null when broker mode is off. */
export type Config = z.infer<typeof configSchema> & { broker: BrokerConfig | null };

/** Values `npm start` (the `dev` command) fills in when unset, printed at start-up; the keys come from server/dev-keys.ts. */
export function developmentDefaults(port: number): Record<string, string> {
  return {
    NODE_ENV: 'development',
    PUBLIC_URL: `http://localhost:${port}`,
    MIXPAY_PAYEE_ID: 'a0d7791408776b47eb1dd3f94ed15d6a',
    MERCHANT_NAME: 'Demo shop',
    CATALOG_FILE: relative(process.cwd(), join(DEMO_DIR, 'products.json')),
    MIXPAY_SANDBOX: '1',
    SERVE_DEMO: '1',
    MIXPAY_API_BASE: `http://localhost:${port}/sandbox/mixpay/v1`,
    MIXPAY_PAY_BASE: `http://localhost:${port}/sandbox/mixpay`,
  };
}

export { ConfigError };

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

/**
 * What `serve` demands before it starts in production (issue 4 §9): an https public URL, the API
 * keys and a webhook secret. Returns one line per missing or unsafe setting; empty when ready.
 */
export function productionProblems(config: Config): string[] {
  if (config.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  if (!config.PUBLIC_URL.startsWith('https://')) problems.push(`PUBLIC_URL must be https:// in production (MixPay only calls https callbacks), got ${config.PUBLIC_URL}`);
  if (config.MERCHANT_API_KEY.length < 16 || /^dev-/.test(config.MERCHANT_API_KEY)) problems.push('MERCHANT_API_KEY must be a random value of at least 16 characters (e.g. `openssl rand -hex 24`)');
  // A `dev-` value is one `npm start` made (server/dev-keys.ts): it says so rather than "missing".
  const fix = (bytes: number) => `set a random value of at least 16 characters (e.g. \`openssl rand -hex ${bytes}\`)`;
  if (!config.ADMIN_API_KEY) problems.push(`ADMIN_API_KEY is missing: ${fix(24)}`);
  else if (/^dev-/.test(config.ADMIN_API_KEY)) problems.push(`ADMIN_API_KEY is a development key: ${fix(24)}`);
  if (config.ADMIN_API_KEY && config.ADMIN_API_KEY === config.MERCHANT_API_KEY) problems.push('ADMIN_API_KEY must differ from MERCHANT_API_KEY');
  if (!config.WEBHOOK_SECRET.length) problems.push(`WEBHOOK_SECRET is missing: ${fix(32)}`);
  else if (config.WEBHOOK_SECRET.some((s) => /^dev-/.test(s))) problems.push(`WEBHOOK_SECRET is a development key: ${fix(32)}`);
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
    // One line per variable, each naming it.
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return merged[name] === undefined ? `${name} is not set` : `${name}: ${issue.message}`;
    });
    throw new ConfigError(lines.join('\n'));
  }
  const settings = result.data;
  // With the sandbox on and no file, a development broker whose bot and wallets are the sandbox's.
  try {
    const broker = settings.BROKER_CONFIG_FILE ? loadBrokerConfigFile(settings.BROKER_CONFIG_FILE) : settings.MIXPAY_SANDBOX ? brokerDevelopmentConfig(settings.PUBLIC_URL) : null;
    return { ...settings, broker };
  } catch (error) {
    // One kind of start-up refusal, naming the file and each bad field.
    if (error instanceof BrokerConfigError) throw new ConfigError(error.message);
    throw error;
  }
}
