/**
 * Errors of the merchant API in MugglePay's shape: `{status, error_code, error}` (contracts §5),
 * with the HTTP status equal to `status`.
 */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export class MerchantApiError extends Error {
  override name = 'MerchantApiError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(status: number, errorCode: string, error: string) {
  return { status, error_code: errorCode, error };
}

export function respondError(c: Context, error: MerchantApiError): Response {
  for (const [key, value] of Object.entries(error.headers)) c.header(key, value);
  return c.json(errorBody(error.status, error.errorCode, error.message), error.status);
}

/** One readable line per problem: `price_amount: must be greater than zero`. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

/** Missing required fields are PARAMETERS_MISSING (MugglePay's word); anything else INVALID_PARAMETERS. */
export function validationError(error: ZodError, input: Record<string, unknown>): MerchantApiError {
  const missing = error.issues.filter((issue) => {
    const field = issue.path[0];
    return typeof field === 'string' && (input[field] === undefined || input[field] === null || input[field] === '');
  });
  if (missing.length) {
    const names = [...new Set(missing.map((issue) => String(issue.path[0])))];
    return new MerchantApiError(400, 'PARAMETERS_MISSING', `missing ${names.join(', ')}`);
  }
  return new MerchantApiError(400, 'INVALID_PARAMETERS', describeZodError(error));
}

/** The largest request body the merchant API reads. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses a body over MAX_BODY_BYTES while it streams in (by Content-Length or as it arrives),
 * instead of buffering all of it first: the public checkout is open to anyone.
 */
export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: (c) => {
    // The rest of the body is never read, so this connection cannot carry another request.
    c.header('Connection', 'close');
    return c.json(errorBody(413, 'BODY_TOO_LARGE', 'request body is larger than 64 KiB'), 413);
  },
});

/** Reads a JSON object body, or throws a 400 that says what was wrong with it. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  if (text.length > MAX_BODY_BYTES) throw new MerchantApiError(413, 'BODY_TOO_LARGE', 'request body is larger than 64 KiB');
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new MerchantApiError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MerchantApiError(400, 'INVALID_JSON', 'request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
