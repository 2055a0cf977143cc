/**
 * The sandbox Mixin's memory: every user's balances and the ledger of snapshots, and the one place
 * that moves money. Each transfer writes two lines (the sender's, negative, and the receiver's);
 * the sender's line is remembered by trace_id, as Mixin de-duplicates on it (contracts §3).
 */
import { randomUUID } from 'node:crypto';
import Big from 'big.js';
import { encodeMixPayMemo } from '../../core/mixpay-memo.ts';

export interface Snapshot {
  type: 'transfer';
  snapshot_id: string;
  /** The user whose ledger this line is in. */
  user_id: string;
  asset_id: string;
  amount: string;
  opening_balance: string;
  closing_balance: string;
  opponent_id: string;
  trace_id: string;
  memo: string;
  created_at: string;
  transaction_hash: string;
}

/** A snapshot as the API shows it: without the sandbox's own `user_id`. */
export type PublicSnapshot = Omit<Snapshot, 'user_id'>;

export const SANDBOX_ASSETS: Record<string, { symbol: string; name: string; price_usd: string }> = {
  '4d8c508b-91c5-375b-92b0-ee702ed2dac5': { symbol: 'USDT', name: 'Tether USD', price_usd: '1' },
  'c6d0c728-2624-429b-8e0d-d9d19b6592fa': { symbol: 'BTC', name: 'Bitcoin', price_usd: '60000' },
  'c94ac88f-4671-3976-b60a-09064f1811e8': { symbol: 'XIN', name: 'Mixin', price_usd: '100' },
};

/** An amount Mixin accepts: at most 8 decimals. */
export const AMOUNT = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;

export function publicSnapshot({ user_id: _user, ...rest }: Snapshot): PublicSnapshot {
  return rest;
}

export interface SnapshotQuery {
  userId: string;
  limit: number;
  /** RFC 3339 time; lines strictly after it (ASC) or before it (DESC). */
  offset: string;
  ascending: boolean;
  asset?: string;
  opponent?: string;
}

export class MixinLedger {
  private readonly balances = new Map<string, Map<string, Big>>();
  private readonly lines: Snapshot[] = [];
  private readonly byTrace = new Map<string, Snapshot>();
  private lastNanos = 0n;

  constructor(
    private readonly now: () => number,
    /** The Mixin user that plays MixPay's bot (sends refunds). */
    readonly mixpayBotId: string,
  ) {}

  /** A user's balances, created empty on first use. */
  walletOf(userId: string): Map<string, Big> {
    let map = this.balances.get(userId);
    if (!map) this.balances.set(userId, (map = new Map()));
    return map;
  }

  balanceOf(userId: string, assetId: string): Big {
    return this.walletOf(userId).get(assetId) ?? new Big(0);
  }

  fund(userId: string, assetId: string, amount: string): void {
    this.walletOf(userId).set(assetId, new Big(amount));
  }

  /** The sender's line of the transfer with this trace_id, if there was one. */
  byTraceId(traceId: string): Snapshot | undefined {
    return this.byTrace.get(traceId);
  }

  /** Moves money between two users and writes both ledger lines; returns the sender's. */
  book(from: string, to: string, assetId: string, amount: string, traceId: string, memo: string): Snapshot {
    const value = new Big(amount);
    const fromOpening = this.balanceOf(from, assetId);
    const toOpening = this.balanceOf(to, assetId);
    this.walletOf(from).set(assetId, fromOpening.minus(value));
    this.walletOf(to).set(assetId, toOpening.plus(value));
    const created_at = this.timestamp();
    const transaction_hash = randomUUID().replace(/-/g, '').repeat(2);
    const out: Snapshot = {
      type: 'transfer', snapshot_id: randomUUID(), user_id: from, asset_id: assetId, amount: `-${value.toFixed()}`,
      opening_balance: fromOpening.toFixed(), closing_balance: fromOpening.minus(value).toFixed(), opponent_id: to, trace_id: traceId, memo, created_at, transaction_hash,
    };
    const inbound: Snapshot = {
      ...out, snapshot_id: randomUUID(), user_id: to, amount: value.toFixed(), opening_balance: toOpening.toFixed(), closing_balance: toOpening.plus(value).toFixed(), opponent_id: from,
    };
    this.lines.push(out, inbound);
    this.byTrace.set(traceId, out);
    return out;
  }

  /** MixPay's bot sends a transfer back with memo base64(RF|trace|code), as contracts §1 shows. */
  refund(traceId: string, code: string): Snapshot | null {
    const original = this.byTrace.get(traceId);
    if (!original) return null;
    return this.book(this.mixpayBotId, original.user_id, original.asset_id, new Big(original.amount).abs().toFixed(), randomUUID(), encodeMixPayMemo('RF', traceId, code));
  }

  /** `GET /snapshots` for one user. */
  snapshots(query: SnapshotQuery): Snapshot[] {
    const { userId, offset, asset, opponent } = query;
    let lines = this.lines.filter((s) => s.user_id === userId && (!asset || s.asset_id === asset) && (!opponent || s.opponent_id === opponent));
    if (query.ascending) lines = lines.filter((s) => !offset || s.created_at > offset);
    else lines = lines.filter((s) => !offset || s.created_at < offset).reverse();
    return lines.slice(0, query.limit);
  }

  /** Outgoing transfers, newest last. */
  transfers(filter: { opponent_id?: string; trace_id?: string } = {}): Snapshot[] {
    return this.lines.filter((s) => new Big(s.amount).lt(0) && (!filter.opponent_id || s.opponent_id === filter.opponent_id) && (!filter.trace_id || s.trace_id === filter.trace_id));
  }

  /** The newest lines in these users' ledgers, newest first. */
  recent(userIds: string[], limit: number): Snapshot[] {
    return this.lines.filter((s) => userIds.includes(s.user_id)).slice(-limit).reverse();
  }

  /** RFC 3339 with nanoseconds, strictly increasing, so `offset` paging never skips a line. */
  private timestamp(): string {
    let nanos = BigInt(this.now()) * 1_000_000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    const ms = Number(nanos / 1_000_000n);
    return `${new Date(ms).toISOString().slice(0, 19)}.${(nanos % 1_000_000_000n).toString().padStart(9, '0')}Z`;
  }
}
