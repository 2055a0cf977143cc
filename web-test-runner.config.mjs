// Element tests: @web/test-runner + @open-wc/testing in headless Chromium.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

// qrcode and ua-parser-js ship CommonJS only. Vite converts them for the real build; here each is
// bundled into one ES module on request, the same way (`import x from` gets module.exports).
const COMMONJS = ['qrcode/lib/core/qrcode.js', 'ua-parser-js'];

function commonjsPackages() {
  const cache = new Map();
  return {
    name: 'commonjs-packages',
    resolveImport({ source }) {
      if (COMMONJS.includes(source)) return `/__commonjs/${source}`;
    },
    async serve(context) {
      if (!context.path.startsWith('/__commonjs/')) return;
      const specifier = context.path.slice('/__commonjs/'.length);
      if (!cache.has(specifier)) {
        const result = await build({
          entryPoints: [fileURLToPath(import.meta.resolve(specifier))],
          bundle: true,
          format: 'esm',
          write: false,
          logLevel: 'silent',
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
