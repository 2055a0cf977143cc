/**
 * `mixpay-checkout/server`: what a merchant's own backend imports. Today that is the verifier for
 * the signed notifications this server sends (docs/merchant.md has a Node and an openssl example).
 * Keep this entry free of the server's other dependencies: it is built on its own into
 * dist/server/index.js.
 */
import { verifyWebhook as verifySignedBody, type VerifyOptions } from './core/signature.ts';
import type { MerchantNotification } from './merchant/notification-types.ts';

export {
  computeSignature,
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signWebhook,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookFailure,
} from './core/signature.ts';
export type { MerchantNotification } from './merchant/notification-types.ts';

/**
 * Checks a notification before you act on it and returns it, typed as what this server sends
 * (`MerchantNotification`; `meta.event` says which kind). Pass the raw request body (bytes or
 * text, before any JSON parsing), the `Mixpay-Checkout-Signature` header and your
 * `WEBHOOK_SECRET` (a list, or comma-separated, while rotating). Throws a
 * `WebhookVerificationError` when the header is missing or malformed, the timestamp is outside the
 * tolerance, or no `v1=` matches any secret.
 */
export function verifyWebhook<T = MerchantNotification>(
  rawBody: string | ArrayBuffer | ArrayBufferView,
  signatureHeader: string | null | undefined,
  secret: string | readonly string[],
  options?: VerifyOptions | null,
): T {
  return verifySignedBody<T>(rawBody, signatureHeader, secret, options);
}
