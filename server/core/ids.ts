/**
 * Mixin and MixPay ids, by one rule everywhere they are read or compared: a UUID is the same id in
 * upper or lower case, written with all four dashes in their places or with none (seed 002's
 * example payeeId has none). Any other spelling ("a0d7…5d6a-", a dash moved or missing) is not a
 * UUID, and an id that is not a UUID (a multisig id, a fiat code) matches only itself exactly.
 */

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BARE = /^[0-9a-f]{32}$/i;

/** The UUID in its stored form (lowercase, dashed), or null when `value` is not a UUID by the rule above. */
export function canonicalUuid(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (DASHED.test(value)) return value.toLowerCase();
  if (!BARE.test(value)) return null;
  const hex = value.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True when `value` is a UUID by the one rule. */
export function isUuid(value: unknown): boolean {
  return canonicalUuid(value) !== null;
}

/** Two ids are the same: equal UUIDs by the one rule, otherwise exactly the same text. */
export function sameId(a: string, b: string): boolean {
  const ca = canonicalUuid(a);
  const cb = canonicalUuid(b);
  if (ca !== null && cb !== null) return ca === cb;
  return a === b;
}
