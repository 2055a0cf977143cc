// Element tests: @web/test-runner + @open-wc/testing in headless Chromium.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { isUaParserSource, trimUaParser } from './scripts/trim-ua-parser.mjs';

// qrcode and ua-parser-js ship CommonJS only. Vite converts them for the real build; here each is
// bundled into one ES module on request, the same way (`import x from` gets module.exports), and
// with the same byte-segments replacement as vite.config.ts. `qrcode-original` is the untouched
// encoder, for the test that compares the two. ua-parser-js is trimmed as the build trims it.
const COMMONJS = {
  'qrcode/lib/core/qrcode.js': { entry: 'qrcode/lib/core/qrcode.js', byteSegments: true },
  'qrcode-original': { entry: 'qrcode/lib/core/qrcode.js', byteSegments: false },
  'ua-parser-js': { entry: 'ua-parser-js', byteSegments: false },
};
const BYTE_SEGMENTS = fileURLToPath(new URL('./widget/qr-segments.cjs', import.meta.url));

const trimmedUaParser = {
  name: 'ua-parser-os-and-device-only',
  setup(b) {
    b.onLoad({ filter: /ua-parser\.js$/ }, async (args) =>
      isUaParserSource(args.path) ? { contents: trimUaParser(await readFile(args.path, 'utf8')), loader: 'js' } : undefined);
  },
};

function commonjsPackages() {
  const cache = new Map();
  return {
    name: 'commonjs-packages',
    resolveImport({ source }) {
      if (Object.hasOwn(COMMONJS, source)) return `/__commonjs/${source}`;
    },
    async serve(context) {
      if (!context.path.startsWith('/__commonjs/')) return;
      const specifier = context.path.slice('/__commonjs/'.length);
      const { entry, byteSegments } = COMMONJS[specifier];
      if (!cache.has(specifier)) {
        const replaceSegments = {
          name: 'qrcode-byte-segments',
          setup(b) {
            b.onResolve({ filter: /^\.\/segments$/ }, (args) =>
              /qrcode[\\/]lib[\\/]core[\\/]qrcode\.js$/.test(args.importer) ? { path: BYTE_SEGMENTS } : undefined);
          },
        };
        const result = await build({
          entryPoints: [fileURLToPath(import.meta.resolve(entry))],
          bundle: true,
          format: 'esm',
          write: false,
          logLevel: 'silent',
          plugins: byteSegments ? [replaceSegments] : [trimmedUaParser],
        });
        cache.set(specifier, result.outputFiles[0].text);
      }
      return { body: cache.get(specifier), type: 'js' };
    },
  };
}

export default {
  files: ['test/widget/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  plugins: [
    commonjsPackages(),
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
      },
    }),
  ],
};
