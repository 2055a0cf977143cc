/**
 * The merchant half's settings: the schema's shape, merged by server/config.ts into the one
 * parsed `Config`. The half reads only these; what the server itself needs (port, database,
 * sandbox, demo) and the broker's file stay with the root.
 */
import { z } from 'zod';

/** An on/off setting: `1`, `true`, `yes` (or a JSON true in CONFIG_FILE) is on, anything else off. */
export const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes');

const seconds = z.coerce.number().int().positive();

export const merchantConfigShape = {
  /** Serves demo/ at `/`; the hosted order page then links back to it when an order has no success_url. */
  SERVE_DEMO: bool.default(false),
  /** Mounts the offline MixPay stand-in under /sandbox (never in production); the merchant then also trusts callbacks from this host. */
  MIXPAY_SANDBOX: bool.default(false),
  /** Where customers and MixPay reach this server; callbacks and return pages are built from it. */
  PUBLIC_URL: z.string().url().transform((u) => u.replace(/\/+$/, '')),
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
  /** JSON product catalog for the public `POST /v1/checkout` (catalog.schema.json); unset = no products. */
  CATALOG_FILE: z.string().optional(),
  /** Checkouts (`POST /v1/checkout`, public) one caller may start a minute; 0 for no limit. */
  CHECKOUT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(20),
  /** Event streams (`GET /v1/orders/{id}/events`) one address may hold open at once; 0 for no limit. */
  SSE_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(20),
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
  /** MixPay calls the whole installation makes in any 60 s (contracts §1: MixPay allows 60); unset = 60. Higher only for an account MixPay allows more. */
  MIXPAY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(6000).optional(),
  /** Former name of MIXPAY_RATE_LIMIT_PER_MINUTE, still read when that is unset. */
  MIXPAY_CALLS_PER_MINUTE: z.coerce.number().int().min(1).max(6000).optional(),
  /** How long a caller (an order being created, a callback check) waits for a free MixPay call before a 429 with Retry-After. */
  MIXPAY_BUDGET_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  /** Calls the reconciler, the public checkout and callbacks from unknown addresses leave free for MixPay's callbacks and the order API. */
  MIXPAY_RESERVED_CALLS: z.coerce.number().int().min(0).max(5999).default(3),
  /** MixPay checks callbacks from one address that is not MixPay's may cause a minute (mixpay/callback-limits.ts). */
  MIXPAY_CALLBACK_CHECKS_PER_SOURCE: z.coerce.number().int().min(1).max(6000).default(10),
  /** How long past its expiry an unpaid order waits (for late confirmations) before it is checked once more and EXPIRED. */
  ORDER_EXPIRY_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
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
};

const merchantConfigSchema = z.object(merchantConfigShape);

export type MerchantConfig = z.infer<typeof merchantConfigSchema>;

/** The payee bot's keys when the income check applies (keys set and the bot is the payee), else null. */
export function incomeCheckKeys(config: MerchantConfig) {
  const { MIXIN_APP_ID, MIXIN_SESSION_ID, MIXIN_SESSION_PRIVATE_KEY, MIXIN_SERVER_PUBLIC_KEY } = config;
  if (!MIXIN_APP_ID || !MIXIN_SESSION_ID || !MIXIN_SESSION_PRIVATE_KEY || !MIXIN_SERVER_PUBLIC_KEY) return null;
  const norm = (id: string) => id.toLowerCase().replace(/-/g, '');
  if (norm(MIXIN_APP_ID) !== norm(config.MIXPAY_PAYEE_ID)) return null;
  return { baseUrl: config.MIXIN_API_BASE, app_id: MIXIN_APP_ID, session_id: MIXIN_SESSION_ID, session_private_key: MIXIN_SESSION_PRIVATE_KEY, server_public_key: MIXIN_SERVER_PUBLIC_KEY };
}
