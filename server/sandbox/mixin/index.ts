/**
 * A stand-in for api.mixin.one as a broker bot sees it (contracts §3): the bot API (api.ts) over
 * one ledger (ledger.ts), and control calls under `/_sandbox` (control.ts) to play MixPay's bot,
 * fund a bot, inspect transfers and receive the broker's alerts.
 */
import { Hono } from 'hono';
import { mixinApi, type SandboxBot } from './api.ts';
import { mixinControl, type ReceivedAlert } from './control.ts';
import { DEV_BROKER_BOT, DEV_MIXPAY_BOT_ID, DEV_SERVER_PRIVATE_SEED } from './dev-bot.ts';
import { MixinLedger, type Snapshot } from './ledger.ts';

export type { SandboxBot } from './api.ts';
export { SANDBOX_ASSETS, type Snapshot } from './ledger.ts';

export interface MixinSandboxOptions {
  bots?: SandboxBot[];
  /** Seed of the server key whose public half the bots use to encrypt their PIN. */
  serverPrivateSeed?: string;
  /** The Mixin user that plays MixPay's bot (sends refunds). */
  mixpayBotId?: string;
  now?: () => number;
  /** Called after a transfer is booked and before it is answered; tests make it hang to play a lost answer. */
  afterTransfer?: (snapshot: Snapshot) => Promise<void>;
}

export interface MixinSandbox {
  app: Hono;
  balanceOf(userId: string, assetId: string): string;
  /** Outgoing transfers, newest last. */
  transfers(filter?: { opponent_id?: string; trace_id?: string }): Snapshot[];
  alerts: ReceivedAlert[];
  /** Plays MixPay's bot refunding the broker transfer with this trace_id; null when there is none. */
  refund(traceId: string, code: string): Snapshot | null;
  stop(): void;
}

const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
const BTC = 'c6d0c728-2624-429b-8e0d-d9d19b6592fa';

export function createMixinSandbox(options: MixinSandboxOptions = {}): MixinSandbox {
  const now = options.now ?? Date.now;
  const ledger = new MixinLedger(now, options.mixpayBotId ?? DEV_MIXPAY_BOT_ID);
  const bots = options.bots ?? [{ ...DEV_BROKER_BOT, balances: { [USDT]: '1000', [BTC]: '0.1' } }];
  for (const bot of bots) for (const [asset, amount] of Object.entries(bot.balances ?? {})) ledger.fund(bot.app_id, asset, amount);
  ledger.fund(ledger.mixpayBotId, USDT, '1000000');
  ledger.fund(ledger.mixpayBotId, BTC, '100');
  const alerts: ReceivedAlert[] = [];

  // Control first: the API's auth middleware covers every path it is mounted on.
  const app = new Hono()
    .route('/', mixinControl({ ledger, botIds: bots.map((b) => b.app_id), alerts }))
    .route('/', mixinApi({ ledger, sessions: new Map(bots.map((b) => [b.app_id, b])), serverSeed: options.serverPrivateSeed ?? DEV_SERVER_PRIVATE_SEED, now, afterTransfer: options.afterTransfer }));

  return {
    app,
    balanceOf: (userId, assetId) => ledger.balanceOf(userId, assetId).toFixed(),
    transfers: (filter) => ledger.transfers(filter),
    alerts,
    refund: (traceId, code) => ledger.refund(traceId, code),
    stop: () => {},
  };
}

