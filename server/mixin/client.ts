/**
 * The broker bot's Mixin client (contracts §3), built on the official SDK with a configurable
 * base URL. The SDK's `transfer.toUser` posts the legacy `POST /transfers`, which de-duplicates on
 * `trace_id`. Newer bots use the Safe/UTXO API instead: that would be a second implementation of
 * `MixinTransfers`, nothing else changes.
 */
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

type MixinSdk = typeof import('@mixin.dev/mixin-node-sdk');
let sdk: Promise<MixinSdk> | undefined;
/**
 * The SDK (with axios and its crypto beneath it) loads on the first call, not at start: a server
 * that never talks to Mixin (no broker, no income check) never pays its ~200 ms of loading.
 */
const loadSdk = () => (sdk ??= import('@mixin.dev/mixin-node-sdk'));

function translate(error: unknown, ResponseError: MixinSdk['ResponseError']): Error {
  if (error instanceof ResponseError) return new MixinApiError(Number(error.code), String(error.description));
  const e = error as { message?: string; code?: string; response?: { status?: number } };
  const status = e.response?.status ? ` (HTTP ${e.response.status})` : '';
  return new MixinUnavailableError(`Mixin unreachable${status}: ${e.code ?? ''} ${e.message ?? String(error)}`.trim());
}

export function createMixinClient(options: MixinBotOptions): MixinTransfers {
  let api: ReturnType<MixinSdk['MixinApi']> | undefined;
  async function call<T>(use: (api: ReturnType<MixinSdk['MixinApi']>) => Promise<T>): Promise<T> {
    const { MixinApi, ResponseError } = await loadSdk();
    api ??= MixinApi({
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
    try {
      return await use(api);
    } catch (error) {
      throw translate(error, ResponseError);
    }
  }
  return {
    async listAssets() {
      const assets = await call((mixin) => mixin.asset.fetchList());
      return assets.map((a) => ({ asset_id: a.asset_id, symbol: a.symbol, balance: a.balance }));
    },
    transfer: (request) => call(async (mixin) => (await mixin.transfer.toUser(options.pin, request)) as MixinSnapshot),
    snapshots(offset, limit) {
      const params = offset ? { limit, offset, order: 'ASC' as const } : { limit, offset: '', order: 'ASC' as const };
      return call(async (mixin) => (await mixin.transfer.snapshots(params)) as MixinSnapshot[]);
    },
  };
}
