/**
 * Signatures on the notifications this server sends to the merchant (issue 4 §4), in the scheme
 * stripe-node made familiar:
 *
 *   Mixpay-Checkout-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * with one `v1=` per active secret while a secret is being rotated. The HMAC covers the raw bytes
 * of the body exactly as sent, never re-serialized JSON. Pure and dependency-free: it is exported
 * to merchants as `mixpay-checkout/server`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Mixpay-Checkout-Signature';
export const EVENT_ID_HEADER = 'Mixpay-Checkout-Event-Id';
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'timestamp_out_of_tolerance'
  | 'no_matching_signature'
  | 'no_secret'
  | 'invalid_body';

/** Thrown by `verifyWebhook`; `reason` says which check failed. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
  constructor(
    readonly reason: WebhookFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Several secrets while rotating: an array, or one string with commas (`WEBHOOK_SECRET=new,old`). Anything else holds none. */
export function secretList(secret: string | readonly string[]): string[] {
  const list = typeof secret === 'string' ? secret.split(',') : Array.isArray(secret) ? secret : [];
  return list.filter((s): s is string => typeof s === 'string').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The raw body as bytes or text; null for anything else (a parsed object is the usual mistake). */
function rawBytes(rawBody: unknown): string | Uint8Array | null {
  if (typeof rawBody === 'string' || rawBody instanceof Uint8Array) return rawBody;
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  if (ArrayBuffer.isView(rawBody)) return new Uint8Array(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  return null;
}

/** Hex HMAC-SHA256 of `"<t>.<raw body>"`: what `openssl dgst -sha256 -hmac <secret>` prints for the same bytes. */
export function computeSignature(rawBody: string | Uint8Array, timestamp: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The header value for `rawBody` at `timestamp` (Unix seconds), one `v1=` per secret. */
export function signWebhook(rawBody: string | Uint8Array, secret: string | readonly string[], timestamp: number): string {
  const secrets = secretList(secret);
  if (!secrets.length) throw new Error('signWebhook: at least one secret is needed (WEBHOOK_SECRET)');
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error('signWebhook: timestamp must be whole Unix seconds');
  return [`t=${timestamp}`, ...secrets.map((s) => `${SIGNATURE_SCHEME}=${computeSignature(rawBody, timestamp, s)}`)].join(',');
}

/** Splits `t=...,v1=...,v1=...`; unknown schemes are ignored so that new ones can be added. */
export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | null {
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(value.toLowerCase());
    }
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

export interface VerifyOptions {
  /** How far the signature's time may be from now, either way. Default 300 s; 0 turns the check off. */
  toleranceSeconds?: number;
  /** The current Unix time in seconds (for tests and replays); defaults to the clock. */
  nowSeconds?: number;
}

/**
 * Checks a notification before you act on it. Pass the raw request body (bytes or text, before any
 * JSON parsing), the `Mixpay-Checkout-Signature` header and your `WEBHOOK_SECRET` (a list, or
 * comma-separated, while rotating). Returns the parsed JSON body; throws a
 * `WebhookVerificationError` when the header is missing or malformed, the timestamp is outside
 * the tolerance, or no `v1=` matches any secret.
 */
export function verifyWebhook<T = unknown>(
  rawBody: string | ArrayBuffer | ArrayBufferView,
  signatureHeader: string | null | undefined,
  secret: string | readonly string[],
  options?: VerifyOptions | null,
): T {
  const { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, nowSeconds } = options ?? {};
  // A tolerance that is not a number (say Number(process.env.UNSET)) must not switch the check off.
  if (typeof toleranceSeconds !== 'number' || Number.isNaN(toleranceSeconds) || toleranceSeconds < 0) {
    throw new RangeError(`verifyWebhook: toleranceSeconds must be a number of seconds >= 0 (0 turns the check off), got ${String(toleranceSeconds)}`);
  }
  const secrets = secretList(secret);
  if (!secrets.length) throw new WebhookVerificationError('no_secret', 'verifyWebhook needs your WEBHOOK_SECRET');
  const raw = rawBytes(rawBody);
  if (raw === null) {
    throw new WebhookVerificationError('invalid_body', 'pass the raw request body (a Buffer or string, before any JSON parsing), not a parsed object');
  }
  if (!signatureHeader) {
    throw new WebhookVerificationError('missing_header', `no ${SIGNATURE_HEADER} header: is this request from your mixpay-checkout server?`);
  }
  const parsed = typeof signatureHeader === 'string' ? parseSignatureHeader(signatureHeader) : null;
  if (!parsed) {
    throw new WebhookVerificationError('malformed_header', `${SIGNATURE_HEADER} must look like t=<unix seconds>,v1=<64 hex digits>`);
  }
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  if (toleranceSeconds > 0 && Math.abs(now - parsed.timestamp) > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      `signature time ${parsed.timestamp} is ${now - parsed.timestamp} s away from now (tolerance ${toleranceSeconds} s): a replay, or a clock out of sync`,
    );
  }
  const matched = secrets.some((s) => {
    const expected = Buffer.from(computeSignature(raw, parsed.timestamp, s), 'hex');
    return parsed.signatures.some((candidate) => timingSafeEqual(expected, Buffer.from(candidate, 'hex')));
  });
  if (!matched) {
    throw new WebhookVerificationError('no_matching_signature', 'no v1 signature matches: check WEBHOOK_SECRET and that you pass the raw body, not re-serialized JSON');
  }
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new WebhookVerificationError('invalid_body', 'the signed body is not JSON: pass the raw body exactly as received');
  }
}
