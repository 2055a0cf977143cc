/**
 * The broker protocol's envelope (seed 000 §"API requirements") and its three error codes.
 * Business rules throw these; one onError in the broker app turns them into the envelope.
 */
export const PARAMETER_ERROR = 11000;
export const NO_PERMISSION = 11001;
export const PAYMENT_UNAVAILABLE = 11002;

export type BrokerErrorCode = typeof PARAMETER_ERROR | typeof NO_PERMISSION | typeof PAYMENT_UNAVAILABLE;

/**
 * HTTP status sent with each code. Seed 000 shows only bodies, so the status MixPay expects is
 * unconfirmed: 11001 and 11002 are business answers (200), a parameter error is a 400.
 */
export const HTTP_STATUS: Record<BrokerErrorCode, 200 | 400> = {
  [PARAMETER_ERROR]: 400,
  [NO_PERMISSION]: 200,
  [PAYMENT_UNAVAILABLE]: 200,
};

export interface Envelope<T> {
  code: number;
  success: boolean;
  message: string;
  data: T | [];
}

export function okEnvelope<T>(data: T): Envelope<T> {
  return { code: 0, success: true, message: '', data };
}

export function errorEnvelope(code: number, message: string): Envelope<never> {
  return { code, success: false, message, data: [] };
}

export class BrokerError extends Error {
  override name = 'BrokerError';
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** 11000; the message starts with the field's name. */
export class ParameterError extends BrokerError {
  override name = 'ParameterError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(PARAMETER_ERROR, `Parameter error: ${field} ${problem}`);
  }
}

export class NoPermissionError extends BrokerError {
  override name = 'NoPermissionError';
  constructor() {
    super(NO_PERMISSION, 'No permission');
  }
}

/** 11002: the bot cannot cover the amount, or the wallet could not make the order. */
export class PaymentUnavailableError extends BrokerError {
  override name = 'PaymentUnavailableError';
  constructor(readonly detail: string) {
    super(PAYMENT_UNAVAILABLE, 'This payment is unavailable.');
  }
}
