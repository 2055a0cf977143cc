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

let lastMs = 0;
let counter = 0;
const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');

/**
 * A UUID (version 7, RFC 9562) that sorts after every one this process made before it: the
 * millisecond, then a 12-bit counter within it (a full counter moves on to the next millisecond),
 * then random bits. Rows keyed by (created_at, id) then come back in the order they were written
 * even within one millisecond, which random ids could not promise.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else if (++counter > 0xfff) {
    lastMs += 1;
    counter = 0;
  }
  const random = crypto.getRandomValues(new Uint8Array(8));
  const time = hex(lastMs, 12);
  const tail = Array.from(random.subarray(2), (byte) => hex(byte, 2)).join('');
  return `${time.slice(0, 8)}-${time.slice(8)}-${hex(0x7000 | counter, 4)}-${hex(0x8000 | (((random[0]! << 8) | random[1]!) & 0x3fff), 4)}-${tail}`;
}
