/**
 * One root for every failure of an outside API (MixPay, Mixin, the wallets), so a caller decides
 * "retry later" once, whatever the API: unavailable (not reached, timed out, or an answer outside
 * its envelope) and rate-limited are worth retrying; rejected (the API's own error code) is not.
 * Each client extends these with its own names and fields.
 */

export type UpstreamFailure = 'unavailable' | 'rate_limited' | 'rejected';

export abstract class UpstreamError extends Error {
  abstract readonly kind: UpstreamFailure;
  constructor(
    /** Which outside API: "mixpay", "mixin", "binance", "mugglepay", ... */
    readonly upstream: string,
    message: string,
  ) {
    super(message);
  }
}

/** Not reached, timed out, or answered something that is not its envelope: the call may be retried. */
export class UpstreamUnavailableError extends UpstreamError {
  override name = 'UpstreamUnavailableError';
  readonly kind = 'unavailable' as const;
}

/** Over the API's call limit (or our own budget for it): retry after `retryAfterMs` when known. */
export class UpstreamRateLimitedError extends UpstreamError {
  override name = 'UpstreamRateLimitedError';
  readonly kind = 'rate_limited' as const;
  constructor(
    upstream: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(upstream, message);
  }
}

/** The API answered with an error of its own: `code` is its code. Retrying the same call will not help. */
export class UpstreamRejectedError extends UpstreamError {
  override name = 'UpstreamRejectedError';
  readonly kind = 'rejected' as const;
  constructor(
    upstream: string,
    readonly code: string | number,
    message: string,
  ) {
    super(upstream, message);
  }
}

/** True for a failure worth retrying later (unavailable or rate-limited), from any outside API. */
export function isRetryLater(error: unknown): error is UpstreamUnavailableError | UpstreamRateLimitedError {
  return error instanceof UpstreamError && error.kind !== 'rejected';
}
