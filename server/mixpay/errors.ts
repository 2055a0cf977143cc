/** Domain errors for MixPay's public API, on the shared upstream root. Handlers map them to their own protocol's envelope. */
import { UpstreamRateLimitedError, UpstreamRejectedError, UpstreamUnavailableError } from '../core/upstream-errors.ts';

/** MixPay answered with `success: false`; `code` and `message` are MixPay's own. */
export class MixPayApiError extends UpstreamRejectedError {
  override name = 'MixPayApiError';
  declare readonly code: number;
  constructor(
    code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super('mixpay', code, `MixPay error ${code}: ${message || '(no message)'}`);
  }
}

/** Code 1429: over MixPay's 60-requests-a-minute budget. Back off before calling again. */
export class MixPayRateLimitError extends UpstreamRateLimitedError {
  override name = 'MixPayRateLimitError';
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
    retryAfterMs?: number,
  ) {
    super('mixpay', `MixPay error ${code}: ${message || '(no message)'}`, retryAfterMs);
  }
}

/** MixPay could not be reached, timed out, or answered something that is not its envelope. */
export class MixPayUnavailableError extends UpstreamUnavailableError {
  override name = 'MixPayUnavailableError';
  constructor(message: string) {
    super('mixpay', message);
  }
}

export const MIXPAY_RATE_LIMIT_CODE = 1429;
