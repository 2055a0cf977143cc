/**
 * The PIN formats the official SDK can send. `@mixin.dev/mixin-node-sdk` hex-decodes the PIN before
 * encrypting it (`signEd25519PIN`: `Buffer.from(pin, 'hex')`), so a 6-digit PIN such as "123456"
 * silently becomes 3 bytes that Mixin can never accept. What it can send:
 * - a TIP PIN: the bot's 32-byte Ed25519 PIN seed, 64 hex characters;
 * - a legacy 6-digit PIN written as the hex of its ASCII digits ("123456" → "313233343536"),
 *   which is what other Mixin SDKs encrypt for a legacy PIN.
 * Which of the two a given bot needs is Mixin's to say; the rule lives in this one constant
 * (unconfirmed beyond the SDK's hex decoding).
 */
export const SDK_PIN_FORMAT = /^(?:[0-9a-f]{64}|(?:3[0-9]){6})$/i;

/** What to write instead, for a configuration error. */
export const SDK_PIN_HELP =
  'must be hex, as the Mixin SDK hex-decodes it: the TIP PIN key as 64 hex characters, or a legacy 6-digit PIN as the hex of its ASCII digits (123456 → 313233343536)';

/** True when the SDK can send this PIN as Mixin expects it. */
export function isSdkPin(pin: string): boolean {
  return SDK_PIN_FORMAT.test(pin);
}
