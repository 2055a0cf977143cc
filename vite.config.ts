import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { isUaParserSource, trimUaParser } from './scripts/trim-ua-parser.mjs';

// Builds the element twice from widget/index.ts:
// - dist/mixpay-button.js: an ES module; qrcode, ua-parser-js and each non-English string table
//   are separate chunks under dist/widget/, loaded by dynamic import only when needed;
// - dist/mixpay-button.iife.js: one classic script that defines the element (dynamic imports inlined).
// Neither uses eval or inline scripts, so both run under `Content-Security-Policy: script-src 'self'`.
// dist/ also holds other builds (types, server): only the element's own outputs are cleared.
function cleanWidgetOutputs(): Plugin {
  let cleaned = false; // each output is its own build pass: clean before the first only
  return {
    name: 'clean-widget-outputs',
    apply: 'build',
    buildStart() {
      if (cleaned) return;
      cleaned = true;
      for (const path of ['dist/widget', 'dist/mixpay-button.js', 'dist/mixpay-button.iife.js']) {
        rmSync(path, { recursive: true, force: true });
      }
    },
  };
}

// qrcode's segment optimizer is replaced by a byte-mode-only module (widget/qr-segments.cjs says why).
export function qrcodeByteSegments(): Plugin {
  const replacement = fileURLToPath(new URL('./widget/qr-segments.cjs', import.meta.url));
  return {
    name: 'qrcode-byte-segments',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === './segments' && importer && /qrcode[\\/]lib[\\/]core[\\/]qrcode\.js$/.test(importer)) return replacement;
      return null;
    },
  };
}

// ua-parser-js without the browser, CPU and engine tables the element never reads (scripts/trim-ua-parser.mjs).
function uaParserOsAndDeviceOnly(): Plugin {
  return {
    name: 'ua-parser-os-and-device-only',
    transform(code, id) {
      return isUaParserSource(id) ? { code: trimUaParser(code), map: null } : null;
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [cleanWidgetOutputs(), qrcodeByteSegments(), uaParserOsAndDeviceOnly()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    modulePreload: false,
    copyPublicDir: false,
    reportCompressedSize: false,
    // Library mode: no HTML entry, and dynamic imports stay plain import() calls (no preload helper).
    lib: { entry: 'widget/index.ts', name: 'MixpayCheckout' },
    rolldownOptions: {
      // Lets the entry chunk carry Lit and export it to the lazily loaded chunks, instead of a
      // third "shared" file before the first render.
      preserveEntrySignatures: 'allow-extension',
      output: [
        {
          format: 'es',
          minify: true, // library mode keeps ES output readable by default; merchants ship it as is
          comments: { legal: true, annotation: false, jsdoc: false }, // licence notices stay
          entryFileNames: 'mixpay-button.js',
          // Lazily loaded chunks keep their module's name; code shared by the button and the
          // session (Lit, mostly) would otherwise be named after whichever module came first.
          chunkFileNames: (chunk) =>
            chunk.isDynamicEntry || chunk.name.includes('runtime') ? 'widget/[name]-[hash:6].js' : 'widget/shared-[hash:6].js',
        },
        {
          format: 'iife',
          minify: true,
          comments: { legal: true, annotation: false, jsdoc: false },
          // A classic script is decoded in the page's charset (modules are always UTF-8): escape
          // the translations so that a page without <meta charset="utf-8"> still reads them.
          charset: 'ascii',
          name: 'MixpayCheckout',
          entryFileNames: 'mixpay-button.iife.js',
          codeSplitting: false,
        },
      ],
    },
  },
});
