/**
 * `mixpay-checkout/server`: what a merchant's own backend imports. Today that is the verifier for
 * the signed notifications this server sends (docs/merchant.md has a Node and an openssl example).
 * Keep this entry free of the server's other dependencies: it is built on its own into
 * dist/server/index.js.
 */
export {
  computeSignature,
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  parseSignatureHeader,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type VerifyOptions,
  type WebhookFailure,
} from './core/signature.ts';
export type { MerchantNotification } from './merchant/notification-types.ts';
