/** Decimal money amounts: strings in, strings out, compared with big.js and never as floats. */
import Big from 'big.js';
import { z } from 'zod';

const DECIMAL = /^(?:0|[1-9]\d{0,17})(?:\.\d{1,8})?$/;

/** True when `value` is a plain non-negative decimal with at most 8 places ("10", "0.5", "9.99"). */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/** "10" and "10.00000000" are the same amount; anything that is not a decimal equals nothing. */
export function sameAmount(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  try {
    return new Big(a).eq(new Big(b));
  } catch {
    return false;
  }
}

/** `a - b` as a decimal string, or null when either is not a number. */
export function subtractAmounts(a: string, b: string): string | null {
  try {
    return new Big(a).minus(new Big(b)).toFixed();
  } catch {
    return null;
  }
}

export function isPositive(value: string): boolean {
  try {
    return new Big(value).gt(0);
  } catch {
    return false;
  }
}

/**
 * A positive price: a decimal string, or a JSON number (MugglePay's docs send `price_amount` as a
 * number). Numbers are turned into their shortest exact decimal text, so `9.99` stays "9.99".
 */
export const decimalString = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? numberToDecimal(v) : v.trim()))
  .refine((v) => v !== null && isDecimal(v), 'must be a decimal amount with at most 8 decimal places, e.g. "9.99"')
  .refine((v) => v !== null && isPositive(v), 'must be greater than zero')
  .transform((v) => new Big(v as string).toFixed());

function numberToDecimal(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const text = String(n);
  if (/e/i.test(text)) {
    try {
      return new Big(text).toFixed();
    } catch {
      return null;
    }
  }
  return text;
}

/** Places of Mixin amounts (contracts §3): an amount in units is `amount × 10^8`, an exact integer. */
export const UNIT_PLACES = 8;
/**
 * Unit counts (90 million coins) stay below this so that a 100× product of one is an exact
 * 64-bit integer in SQL, and the value itself an exact JS number when read back (2^53 ≈ 9.007e15).
 */
export const MAX_UNITS = 9_000_000_000_000_000n;

/** `amount` in 10^-8 units as integer text, rounded down and capped at MAX_UNITS; "0" for a non-number. */
export function toUnits(amount: string): string {
  let units: bigint;
  try {
    units = BigInt(new Big(amount).times(new Big(10).pow(UNIT_PLACES)).round(0, Big.roundDown).toFixed(0));
  } catch {
    return '0';
  }
  if (units > MAX_UNITS) units = MAX_UNITS;
  if (units < -MAX_UNITS) units = -MAX_UNITS;
  return units.toString();
}

/** Integer units back to a decimal string ("1050000000" → "10.5"). */
export function fromUnits(units: string | number | bigint): string {
  return new Big(String(units)).div(new Big(10).pow(UNIT_PLACES)).toFixed();
}
