// The browser-safe core of `qrcode` (its main entry pulls in canvas and Node renderers we never use).
declare module 'qrcode/lib/core/qrcode.js' {
  import type { create } from 'qrcode';
  const core: { create: typeof create };
  export default core;
}
