/**
 * Text a stranger sends that the store must hold. PostgreSQL cannot store U+0000 in a text column
 * (it fails the whole statement), so a NUL byte in a field, a query or a path is refused at the
 * edge with the endpoint's own 400, or, where a protocol needs the text kept (Mixin memos), escaped.
 */
import { z } from 'zod';

export const NUL_MESSAGE = 'must not contain NUL bytes';

/** True when `value` holds a NUL byte, which no stored text can. */
export function hasNul(value: string): boolean {
  return value.includes('\u0000');
}

/** A string of at most `max` characters with no NUL byte. */
export function storableText(max: number) {
  return z.string().max(max).refine((value) => !hasNul(value), NUL_MESSAGE);
}

/** A PostgreSQL error raised by text it cannot store (NUL, invalid byte sequences): the caller's input, not our fault. */
export function isUnstorableTextError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}
