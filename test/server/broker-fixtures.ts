/** Shared set-up for the broker tests: a config, deps over a real store, and a counting fake wallet. */
import { randomUUID } from 'node:crypto';
import { parseBrokerConfig, type BrokerConfig } from '../../server/broker/config.ts';
import type { BrokerDeps } from '../../server/broker/deps.ts';
import type { Alert } from '../../server/broker/alerts.ts';
import type { MixinTransfers, MixinTransferRequest, MixinSnapshot } from '../../server/mixin/client.ts';
import { WalletApiError, WebhookRejectedError, type WalletAdapter, type WalletOrderRequest, type WalletRefundRequest } from '../../server/wallets/types.ts';
import type { Store } from '../../server/store/db.ts';

export const USDT = '4d8c508b-91c5-375b-92b0-ee702ed2dac5';
export const BTC = 'c6d0c728-2624-429b-8e0d-d9d19b6592fa';
export const PAYEE = 'a0d77914-0877-6b47-eb1d-d3f94ed15d6a';
export const DENIED_PAYEE = '11111111-2222-3333-4444-555555555555';
export const MIXPAY_BOT = '21627808-77a3-4003-96fa-d8e57f66a724';

export function testConfig(overrides: Partial<Record<string, unknown>> = {}): BrokerConfig {
  const assets = {
    [USDT]: { currency: 'USDT', min: '0.10000000', max: '100.00000000', min_usdt: '0.10', max_usdt: '100.00', fee: '0.0100', alert_below: '20' },
    [BTC]: { currency: 'BTC', min: '0.00000440', max: '0.00010000', min_usdt: '0.10000000', max_usdt: '2.05', fee: '0.0100' },
  };
  return parseBrokerConfig({
    wallets: {
      binance: { kind: 'binance', base_url: 'http://127.0.0.1:9/binance', api_key: 'k', secret_key: 's', assets, payees: { deny: [DENIED_PAYEE] } },
      mugglepay: { kind: 'mugglepay', base_url: 'http://127.0.0.1:9/mugglepay', api_key: 'k', callback_secret: 'callback-secret-0123456789', assets, payees: { allow: [PAYEE] } },
    },
    mixin: {
      base_url: 'http://127.0.0.1:9/mixin',
      app_id: randomUUID(),
      session_id: randomUUID(),
      session_private_key: '3f565a58af91be9eb3060bc1ac816577ca70b171e50d93f4c8a62c7a88ace504',
      server_public_key: '57bbc994b9ce5d2e7afd9d1de942b2325bab300a151816fda0bf1880275c3d0e',
      pin: '55c15a83bd987e2b537610400bf718f62bc559a7f9ffb3f5f82f72b550c5cef9',
    },
    mixpay: { bot_ids: [MIXPAY_BOT] },
    ...overrides,
  });
}

export class FakeWallet implements WalletAdapter {
  readonly kind = 'binance' as const;
  created: WalletOrderRequest[] = [];
  refunds: WalletRefundRequest[] = [];
  failNext = false;
  delayMs = 0;
  async createOrder(request: WalletOrderRequest) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('wallet down');
    }
    this.created.push(request);
    const id = `up-${this.created.length}`;
    return { upstreamId: id, checkoutUrl: `https://wallet.example/checkout/${id}`, deepLink: `bnc://pay/${id}`, universalUrl: `https://wallet.example/u/${id}` };
  }
  /** What queryOrder answers per upstream id; unknown ids are pending, 'gone' ids a wallet error. */
  states = new Map<string, 'pending' | 'paid' | 'closed' | 'gone'>();
  async queryOrder(upstreamId: string) {
    const state = this.states.get(upstreamId) ?? 'pending';
    if (state === 'gone') throw new WalletApiError('fake', '404', 'order not found');
    return { state };
  }
  async refund(request: WalletRefundRequest) {
    this.refunds.push(request);
  }
  closed: string[] = [];
  async close(upstreamId: string) {
    const state = this.states.get(upstreamId) ?? 'pending';
    if (state === 'gone') throw new WalletApiError('fake', '404', 'order not found');
    if (state === 'paid') return 'paid' as const;
    this.closed.push(upstreamId);
    this.states.set(upstreamId, 'closed');
    return 'closed' as const;
  }
  async verifyWebhook(): Promise<never> {
    throw new WebhookRejectedError('the fake wallet signs nothing');
  }
  webhookAck() {
    return {};
  }
}

export class FakeMixin implements MixinTransfers {
  balances = new Map<string, string>([[USDT, '100'], [BTC, '1']]);
  transfers: MixinTransferRequest[] = [];
  incoming: MixinSnapshot[] = [];
  async listAssets() {
    return [...this.balances].map(([asset_id, balance]) => ({ asset_id, symbol: asset_id === USDT ? 'USDT' : 'BTC', balance }));
  }
  async transfer(request: MixinTransferRequest): Promise<MixinSnapshot> {
    this.transfers.push(request);
    return { snapshot_id: randomUUID(), type: 'transfer', asset_id: request.asset_id, amount: `-${request.amount}`, opponent_id: request.opponent_id, trace_id: request.trace_id, memo: request.memo, created_at: new Date().toISOString() };
  }
  async snapshots(offset: string | undefined) {
    return this.incoming.filter((s) => !offset || s.created_at > offset);
  }
}

export interface TestDeps extends BrokerDeps {
  alertsSent: Alert[];
  logs: string[];
  wallet: FakeWallet;
  fakeMixin: FakeMixin;
  clock: { now: number };
}

export function testDeps(store: Store, config = testConfig()): TestDeps {
  const wallet = new FakeWallet();
  const fakeMixin = new FakeMixin();
  const alertsSent: Alert[] = [];
  const logs: string[] = [];
  const clock = { now: Date.now() };
  return {
    config,
    store,
    publicUrl: 'https://broker.example',
    mixin: fakeMixin,
    wallets: { binance: wallet, mugglepay: wallet },
    alerts: { alert: async (a) => void alertsSent.push(a) },
    now: () => clock.now,
    log: (line) => void logs.push(line),
    alertsSent,
    logs,
    wallet,
    fakeMixin,
    clock,
  };
}

/** A valid create_order body; tests change one field at a time. */
export function orderBody(now: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    payee_id: PAYEE,
    wallet: 'binance',
    asset_id: USDT,
    amount: '10.5',
    trace_id: randomUUID(),
    memo: Buffer.from(`PM|${randomUUID()}|`).toString('base64'),
    expired_at: Math.floor(now / 1000) + 900,
    return_url: 'https://mixpay.me/pay/return',
    opponent_id: MIXPAY_BOT,
    ...overrides,
  };
}
