/**
 * Stands in for qrcode's `lib/core/segments.js` in our bundles (see vite.config.ts and
 * web-test-runner.config.mjs). That module finds the cheapest mix of numeric, alphanumeric, kanji
 * and byte segments with a Dijkstra search, which costs 1.7 KB gzip. A payment link is a URL with
 * lower-case letters, so QR encodes it in byte mode anyway: qr-matrix.ts always passes one byte
 * segment, and only `fromArray` is reached. A test checks the matrices against the original.
 */
import ByteData from 'qrcode/lib/core/byte-data.js';

/** The one entry point qrcode's encoder calls for explicit segments. */
export function fromArray(segments: ReadonlyArray<{ data: string | Uint8Array; mode: string }>): unknown[] {
  return segments.map((segment) => {
    if (segment.mode !== 'byte') throw new Error('only byte segments are bundled');
    return new ByteData(segment.data);
  });
}

/** Not reached: qr-matrix.ts never passes a plain string. */
export function fromString(): never {
  throw new Error('only byte segments are bundled');
}

export const rawSplit = fromString;
