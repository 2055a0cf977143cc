import { html, svg, type TemplateResult } from 'lit';
import type { QrMatrix } from './qr-matrix.ts';

/** Quiet zone around the code, in modules (the QR standard asks for four). */
export const QUIET_ZONE = 4;

/**
 * Draws a QR matrix as SVG rects, one per horizontal run of dark modules. Always dark on white
 * with its quiet zone, whatever the theme: scanners need the contrast.
 */
export function qrCodeTemplate(matrix: QrMatrix, label: string): TemplateResult {
  const side = matrix.size + QUIET_ZONE * 2;
  const runs: TemplateResult[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let start = -1;
    for (let col = 0; col <= matrix.size; col++) {
      const dark = col < matrix.size && matrix.dark[row * matrix.size + col] === 1;
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        runs.push(svg`<rect x=${start + QUIET_ZONE} y=${row + QUIET_ZONE} width=${col - start} height="1"></rect>`);
        start = -1;
      }
    }
  }
  return html`<svg part="qr" class="qr" role="img" aria-label=${label} viewBox="0 0 ${side} ${side}" shape-rendering="crispEdges"
><rect width=${side} height=${side} fill="#fff"></rect><g fill="#000">${runs}</g></svg>`;
}
