/**
 * The one list of wallets the broker can offer on MixPay's checkout page. An entry names the
 * wallet's `kind` (as written in the broker config), the schema of its own settings, a factory
 * that builds its client from them, and its sandbox. Adding a wallet means writing its client
 * (server/wallets/), its sandbox (server/sandbox/), and one entry here; the broker config, the
 * broker's wiring, the sandbox's mounts, the development broker and the sandbox checkout page all
 * read this list (docs/broker.md, "Adding a wallet").
 */
import type { Hono } from 'hono';
import { z } from 'zod';
import { createBinanceSandbox } from '../sandbox/binance/index.ts';
import { createMugglePaySandbox } from '../sandbox/mugglepay/index.ts';
import { BinancePayClient } from './binance.ts';
import { MugglePayClient } from './mugglepay.ts';
import type { WalletAdapter } from './types.ts';

/** What a wallet client may use besides its settings. */
export interface WalletClientContext {
  /** Only tests inject one; without it a wallet calls through node:http (wallets/http-post.ts). */
  fetch?: typeof fetch | undefined;
  now: () => number;
}

/** What a wallet sandbox is given; every part has a default. */
export interface WalletSandboxContext {
  now?: () => number;
  fetch?: typeof fetch;
  log?: (line: string) => void;
  /** The wallet's first notification retry delay, for tests that cannot wait for the real one. */
  retryMs?: number;
}

export interface WalletSandbox {
  app: Hono;
  /** Cancels the sandbox's timers (notification retries). */
  stop(): void;
}

export interface WalletEntry<Settings extends z.ZodType = z.ZodType> {
  /** The config's `kind`; the development broker and the sandbox also use it as the wallet's name. */
  readonly kind: string;
  /** The wallet's own settings (base URL, keys, ...); the broker adds `kind`, `assets` and `payees`. */
  readonly settings: Settings;
  createClient(settings: z.output<Settings>, context: WalletClientContext): WalletAdapter;
  readonly sandbox: {
    /** Mounted at `/sandbox/<path>`. */
    readonly path: string;
    create(context: WalletSandboxContext): WalletSandbox;
    /** The settings with which the development broker reaches this sandbox, mounted at `baseUrl`. */
    developmentSettings(baseUrl: string): z.input<Settings> & Record<string, unknown>;
  };
}

/** Types an entry's factory by its settings schema. */
export function defineWallet<Settings extends z.ZodType>(entry: WalletEntry<Settings>): WalletEntry<Settings> {
  return entry;
}

const url = z.string().url().transform((u) => u.replace(/\/+$/, ''));

export const binanceWallet = defineWallet({
  kind: 'binance',
  settings: z.object({ base_url: url.default('https://bpay.binanceapi.com'), api_key: z.string().min(1), secret_key: z.string().min(1) }),
  createClient: (s, { fetch, now }) => new BinancePayClient({ baseUrl: s.base_url, apiKey: s.api_key, secretKey: s.secret_key, fetch, now }),
  sandbox: {
    path: 'binance',
    create: ({ now, fetch, log, retryMs }) => createBinanceSandbox({ now, fetch, log, webhookRetryMs: retryMs }),
    developmentSettings: (baseUrl) => ({ base_url: baseUrl, api_key: 'dev-binance-api-key', secret_key: 'dev-binance-secret-key' }),
  },
});

export const mugglePayWallet = defineWallet({
  kind: 'mugglepay',
  settings: z.object({
    base_url: url.default('https://api.mugglepay.com/v1'),
    api_key: z.string().min(1),
    /** Secret from which each order's callback `token` is derived (HMAC of the order id). */
    callback_secret: z.string().min(16),
  }),
  createClient: (s, { fetch }) => new MugglePayClient({ baseUrl: s.base_url, apiKey: s.api_key, callbackSecret: s.callback_secret, fetch }),
  sandbox: {
    path: 'mugglepay',
    create: ({ now, fetch, log, retryMs }) => createMugglePaySandbox({ now, fetch, log, callbackRetryMs: retryMs }),
    developmentSettings: (baseUrl) => ({ base_url: `${baseUrl}/v1`, api_key: 'dev-mugglepay-api-key', callback_secret: 'dev-mugglepay-callback-secret' }),
  },
});

const entries = new Map<string, WalletEntry>([binanceWallet, mugglePayWallet].map((entry) => [entry.kind, entry]));

/**
 * Adds a wallet to the list (a plug-in, or a test's fake wallet); returns the call that removes
 * it again. A kind may be registered once.
 */
export function registerWallet(entry: WalletEntry): () => void {
  if (!/^[a-z0-9_-]{1,20}$/.test(entry.kind)) throw new RangeError(`wallet kind ${JSON.stringify(entry.kind)} must be 1-20 chars of a-z 0-9 _ -, as MixPay's wallet names are`);
  if (entries.has(entry.kind)) throw new RangeError(`wallet kind ${entry.kind} is already registered`);
  entries.set(entry.kind, entry);
  return () => void entries.delete(entry.kind);
}

/** Every registered wallet, built-in ones first. */
export function walletEntries(): WalletEntry[] {
  return [...entries.values()];
}

export function walletEntry(kind: string): WalletEntry | undefined {
  return entries.get(kind);
}

export type SettingsOutcome = { ok: true; settings: Record<string, unknown> } | { ok: false; issues: Array<{ path: PropertyKey[]; message: string }> };

/** Checks one configured wallet's own settings against its entry; issues name the field. */
export function parseWalletSettings(wallet: { kind: string }): SettingsOutcome {
  const entry = entries.get(wallet.kind);
  if (!entry) return { ok: false, issues: [{ path: ['kind'], message: `must be a registered wallet kind: ${[...entries.keys()].join(', ')} (server/wallets/registry.ts)` }] };
  const parsed = entry.settings.safeParse(wallet);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) };
  const settings = parsed.data;
  return { ok: true, settings: settings && typeof settings === 'object' ? { ...settings } : {} };
}

/** Builds the client of a configured wallet from its entry; throws when the settings do not parse. */
export function createWalletClient(wallet: { kind: string }, context: WalletClientContext): WalletAdapter {
  const entry = entries.get(wallet.kind);
  if (!entry) throw new RangeError(`wallet kind ${wallet.kind} is not registered (server/wallets/registry.ts)`);
  return entry.createClient(entry.settings.parse(wallet), context);
}
