/**
 * The broker bot's Mixin client (contracts §3), built on the official SDK with a configurable
 * base URL. The SDK's `transfer.toUser` posts the legacy `POST /transfers`, which de-duplicates on
 * `trace_id`. Newer bots use the Safe/UTXO API instead: that would be a second implementation of
 * `MixinTransfers`, nothing else changes.
 */
import { MixinApi, ResponseError } from '@mixin.dev/mixin-node-sdk';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../core/upstream-errors.ts';

export interface MixinAsset {
  asset_id: string;
  symbol: string;
  balance: string;
}

export interface MixinSnapshot {
  snapshot_id: string;
  type: string;
  asset_id: string;
  amount: string;
  opponent_id?: string;
  trace_id?: string;
  memo?: string;
  created_at: string;
}

export interface MixinTransferRequest {
  asset_id: string;
  opponent_id: string;
  amount: string;
  trace_id: string;
  memo: string;
}

/** Everything the broker asks of Mixin. */
export interface MixinTransfers {
  listAssets(): Promise<MixinAsset[]>;
  /** Sends a transfer; a repeated trace_id returns the first transfer's snapshot. */
  transfer(request: MixinTransferRequest): Promise<MixinSnapshot>;
  /** The bot's snapshots after `offset` (RFC 3339 time), oldest first. */
  snapshots(offset: string | undefined, limit: number): Promise<MixinSnapshot[]>;
}

export interface MixinBotOptions {
  baseUrl: string;
  app_id: string;
  session_id: string;
  session_private_key: string;
  server_public_key: string;
  pin: string;
  timeoutMs?: number;
}

/** Mixin answered with an error object (`{error: {code, description}}`). */
export class MixinApiError extends UpstreamRejectedError {
  override name = 'MixinApiError';
  declare readonly code: number;
  constructor(
    code: number,
    readonly description: string,
  ) {
    super('mixin', code, `Mixin error ${code}: ${description}`);
  }
}

/** Mixin was not reached or did not answer in time: the transfer may or may not have happened. */
export class MixinUnavailableError extends UpstreamUnavailableError {
  override name = 'MixinUnavailableError';
  constructor(message: string) {
    super('mixin', message);
  }
}

function translate(error: unknown): Error {
  if (error instanceof ResponseError) return new MixinApiError(Number(error.code), String(error.description));
  const e = error as { message?: string; code?: string; response?: { status?: number } };
  const status = e.response?.status ? ` (HTTP ${e.response.status})` : '';
  return new MixinUnavailableError(`Mixin unreachable${status}: ${e.code ?? ''} ${e.message ?? String(error)}`.trim());
}

export function createMixinClient(options: MixinBotOptions): MixinTransfers {
  const api = MixinApi({
    keystore: {
      app_id: options.app_id,
      session_id: options.session_id,
      session_private_key: options.session_private_key,
      server_public_key: options.server_public_key,
    },
    // The SDK retries network failures itself (its `retry` cannot go below 1); the settlement job
    // retries beyond that, and the trace_id keeps every retry harmless.
    requestConfig: { baseURL: options.baseUrl, timeout: options.timeoutMs ?? 10_000, retry: 1 },
  });
  return {
    async listAssets() {
      try {
        const assets = await api.asset.fetchList();
        return assets.map((a) => ({ asset_id: a.asset_id, symbol: a.symbol, balance: a.balance }));
      } catch (error) {
        throw translate(error);
      }
    },
    async transfer(request) {
      try {
        return (await api.transfer.toUser(options.pin, request)) as MixinSnapshot;
      } catch (error) {
        throw translate(error);
      }
    },
    async snapshots(offset, limit) {
      try {
        const params = offset ? { limit, offset, order: 'ASC' as const } : { limit, offset: '', order: 'ASC' as const };
        return (await api.transfer.snapshots(params)) as MixinSnapshot[];
      } catch (error) {
        throw translate(error);
      }
    },
  };
}
