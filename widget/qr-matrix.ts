/**
 * The project's only door to `qrcode`: just its encoder core, loaded by dynamic import when a
 * QR code is first shown. Rendering is ours (qr-code.ts), as Lit SVG templates.
 */
import QRCodeCore from 'qrcode/lib/core/qrcode.js';

/** A QR code as a square of modules; `dark[row * size + col]` is 1 for a dark module. */
export interface QrMatrix {
  size: number;
  dark: Uint8Array;
}

/**
 * Encodes `text` as one byte-mode segment (what a URL needs; see qr-segments.cjs), error
 * correction M: survives a smudged screen and stays small for long links.
 */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCodeCore.create([{ data: new TextEncoder().encode(text), mode: 'byte' }], { errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: modules.data };
}
