/**
 * Client for MixPay's public API (contracts §1). One instance per installation; the base URL comes
 * from configuration so that the sandbox can stand in for api.mixpay.me.
 */
import { MIXPAY_RATE_LIMIT_CODE, MixPayApiError, MixPayRateLimitError, MixPayUnavailableError } from './errors.ts';
import { reportMixPayCall } from '../core/channels.ts';
import type { Envelope, OneTimePaymentRequest, OneTimePaymentResult, PaymentResult, PaymentResultQuery } from './types.ts';

export interface MixPayClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called with MixPay's `x-ratelimit-*` headers after every answer that carries them. */
  onRateLimit?: (state: RateLimitState) => void;
}

/** What MixPay's last answer said about this caller's budget (contracts §1: 60 a minute). */
export interface RateLimitState {
  /** `x-ratelimit-limit`: calls allowed a minute. */
  limit: number;
  /** `x-ratelimit-remaining`: calls left in the current minute. */
  remaining: number;
  /** When the answer arrived (ms). */
  at: number;
}

/** Reads MixPay's rate-limit headers; null when the answer has none (or they are not numbers). */
export function readRateLimit(headers: Headers, at: number): RateLimitState | null {
  const limit = Number(headers.get('x-ratelimit-limit') ?? NaN);
  const remaining = Number(headers.get('x-ratelimit-remaining') ?? NaN);
  if (!Number.isInteger(limit) || !Number.isInteger(remaining) || limit < 0 || remaining < 0) return null;
  return { limit, remaining, at };
}

/** `retry-after` in milliseconds, when it is a number of seconds. */
function retryAfterMs(headers: Headers): number | undefined {
  const seconds = Number(headers.get('retry-after') ?? NaN);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export class MixPayClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly onRateLimit: ((state: RateLimitState) => void) | undefined;
  /** MixPay's budget for this caller as its last answer reported it; null before any such answer. */
  rateLimit: RateLimitState | null = null;

  constructor(options: MixPayClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.onRateLimit = options.onRateLimit;
  }

  /** Mints a one-time payment link; the customer pays at `<pay base>/code/<code>`. */
  async createOneTimePayment(request: OneTimePaymentRequest): Promise<OneTimePaymentResult> {
    const body: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(request)) {
      if (value !== undefined && value !== '') body[key] = value;
    }
    const result = await this.call<OneTimePaymentResult>('POST', '/one_time_payment', body);
    if (typeof result.code !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(result.code)) {
      throw new MixPayUnavailableError(`MixPay POST /one_time_payment answered success without a link code: ${JSON.stringify(result).slice(0, 200)}`);
    }
    return result;
  }

  /** The only trustworthy source of a payment's state (seed 003). */
  async getPaymentResult(query: PaymentResultQuery, include: Array<'payment' | 'transactions'> = ['payment']): Promise<PaymentResult> {
    const params = new URLSearchParams(query as Record<string, string>);
    if (include.length) params.set('with', include.join(','));
    return this.call<PaymentResult>('GET', `/payments_result?${params}`);
  }

  /** Every call is reported (endpoint, outcome, duration) for the metrics at /metrics. */
  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const started = performance.now();
    const endpoint = `${method} ${path.split('?')[0]}`;
    try {
      const data = await this.send<T>(method, path, body);
      reportMixPayCall({ endpoint, outcome: 'ok', durationMs: performance.now() - started });
      return data;
    } catch (error) {
      const outcome = error instanceof MixPayRateLimitError ? 'rate_limited' : error instanceof MixPayUnavailableError ? 'unavailable' : 'rejected';
      reportMixPayCall({ endpoint, outcome, durationMs: performance.now() - started });
      throw error;
    }
  }

  private async send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new MixPayUnavailableError(`MixPay ${method} ${path} failed: ${(error as Error).message}`);
    }
    const rateLimit = readRateLimit(response.headers, Date.now());
    if (rateLimit) {
      this.rateLimit = rateLimit;
      this.onRateLimit?.(rateLimit);
    }
    let envelope: Envelope<T>;
    try {
      envelope = (await response.json()) as Envelope<T>;
    } catch {
      throw new MixPayUnavailableError(`MixPay ${method} ${path} answered HTTP ${response.status} without JSON`);
    }
    if (typeof envelope !== 'object' || envelope === null || typeof envelope.success !== 'boolean') {
      throw new MixPayUnavailableError(`MixPay ${method} ${path} answered HTTP ${response.status} outside its envelope`);
    }
    if (envelope.code === MIXPAY_RATE_LIMIT_CODE || response.status === 429) {
      throw new MixPayRateLimitError(MIXPAY_RATE_LIMIT_CODE, envelope.message, response.status, retryAfterMs(response.headers));
    }
    if (!envelope.success) {
      if (response.status >= 500) {
        throw new MixPayUnavailableError(`MixPay ${method} ${path} answered HTTP ${response.status}: ${envelope.message}`);
      }
      throw new MixPayApiError(envelope.code, envelope.message, response.status);
    }
    // Both calls answer an object; a success without one (null, [], a string) is not an answer.
    if (!envelope.data || typeof envelope.data !== 'object' || Array.isArray(envelope.data)) {
      throw new MixPayUnavailableError(`MixPay ${method} ${path} answered success without its data object`);
    }
    return envelope.data;
  }
}
