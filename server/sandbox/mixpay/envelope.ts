/**
 * MixPay's answer envelope and the sandbox's error codes. Codes and messages follow MixPay's
 * published error table (1017 parameter error, 404 unknown payment link, 1429 rate limit, -1 server
 * error; failure codes 40000/40020/40021/40024). Which code MixPay really answers for each case, and
 * with which HTTP status, is **unconfirmed**: the client keys on `success` and `code` 1429 only, so
 * changing a code here changes nothing else.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Envelope } from '../../mixpay/types.ts';
import { MIXPAY_RATE_LIMIT_CODE } from '../../mixpay/errors.ts';

export const SANDBOX_ERRORS = {
  parameter: { code: 1017, httpStatus: 400, message: 'Parameter error.' },
  notFound: { code: 404, httpStatus: 404, message: 'The payment link you visited does not exist.' },
  noRoute: { code: 404, httpStatus: 404, message: 'Not found.' },
  rateLimited: { code: MIXPAY_RATE_LIMIT_CODE, httpStatus: 429, message: 'Your request frequency is too high, please try again later.' },
  alreadyPaid: { code: 40021, httpStatus: 409, message: 'Double payment.' },
  overtime: { code: 40000, httpStatus: 409, message: 'Payment overtime.' },
  server: { code: -1, httpStatus: 500, message: 'Server error, please try again later.' },
} as const satisfies Record<string, { code: number; httpStatus: ContentfulStatusCode; message: string }>;

export type SandboxErrorKind = keyof typeof SANDBOX_ERRORS;

/** A refusal in MixPay's words; `detail` says what to change and is appended to the message. */
export class SandboxError extends Error {
  override name = 'SandboxError';
  readonly code: number;
  readonly httpStatus: ContentfulStatusCode;
  constructor(
    readonly kind: SandboxErrorKind,
    detail?: string,
  ) {
    const known = SANDBOX_ERRORS[kind];
    super(detail ? `${known.message} ${detail}` : known.message);
    this.code = known.code;
    this.httpStatus = known.httpStatus;
  }
}

export function successEnvelope<T>(data: T, nowMs: number): Envelope<T> {
  return { code: 0, success: true, message: '', data, timestampMs: nowMs };
}

/** Errors carry `data: []`, as MixPay's do (contracts §1). */
export function errorEnvelope(code: number, message: string, nowMs: number): Envelope<never[]> {
  return { code, success: false, message, data: [], timestampMs: nowMs };
}

/** The one error handler of the sandbox's MixPay sub-apps: every failure leaves in the envelope. */
export function sandboxErrorHandler(now: () => number, log?: (line: string) => void) {
  return (error: Error, c: Context) => {
    if (error instanceof SandboxError) {
      return c.json(errorEnvelope(error.code, error.message, now()), error.httpStatus);
    }
    if (error instanceof HTTPException && error.status < 500) {
      const { code, message } = SANDBOX_ERRORS.parameter;
      return c.json(errorEnvelope(code, `${message} ${error.message}`.trim(), now()), error.status as ContentfulStatusCode);
    }
    log?.(`mixpay: ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    const { code, httpStatus, message } = SANDBOX_ERRORS.server;
    return c.json(errorEnvelope(code, message, now()), httpStatus);
  };
}
