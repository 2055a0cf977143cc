import { defineConfig } from 'vite';

// The admin page's script (server/admin/page/index.ts) as one ES module, dist/admin/admin.js,
// with Lit inside. Served by the server at /admin/assets/admin.js under `script-src 'self'`.
export default defineConfig({
  publicDir: false,
  build: {
    outDir: 'dist/admin',
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: false,
    modulePreload: false,
    copyPublicDir: false,
    reportCompressedSize: false,
    lib: { entry: 'server/admin/page/index.ts', formats: ['es'], fileName: () => 'admin.js' },
  },
});
