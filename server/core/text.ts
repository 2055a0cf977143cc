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

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text a stranger sent that must be kept (a Mixin memo): NUL bytes written as the six characters
 * `\u0000` and lone surrogates as U+FFFD, so PostgreSQL takes it; unchanged when already storable.
 * Pair it with the exact bytes (`rawTextBase64`) where the original matters.
 */
export function escapeUnstorable(value: string): string {
  return value.replace(/\u0000/g, '\\u0000').replace(LONE_SURROGATE, '\ufffd');
}

/** base64 of `value`'s UTF-8 when it needed escaping, else null: the stored form of what was sent. */
export function rawTextBase64(value: string | null | undefined): string | null {
  if (typeof value !== 'string' || escapeUnstorable(value) === value) return null;
  return Buffer.from(value, 'utf8').toString('base64');
}
