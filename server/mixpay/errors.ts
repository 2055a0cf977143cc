/** Domain errors for MixPay's public API. Handlers map them to their own protocol's envelope. */

/** MixPay answered with `success: false`; `code` and `message` are MixPay's own. */
export class MixPayApiError extends Error {
  override name = 'MixPayApiError';
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus: number,
  ) {
    super(`MixPay error ${code}: ${message || '(no message)'}`);
  }
}

/** Code 1429: over MixPay's 60-requests-a-minute budget. Back off before calling again. */
export class MixPayRateLimitError extends MixPayApiError {
  override name = 'MixPayRateLimitError';
}

/** MixPay could not be reached, timed out, or answered something that is not its envelope. */
export class MixPayUnavailableError extends Error {
  override name = 'MixPayUnavailableError';
}

export const MIXPAY_RATE_LIMIT_CODE = 1429;
