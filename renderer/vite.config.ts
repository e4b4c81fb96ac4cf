/**
 * The renderer bundle. Relative asset URLs because Electron loads it from `app://hopsdesk/`
 * and web mode from the core's own origin; no inline scripts, so the CSP can forbid them.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // This folder, whatever directory the build runs from (Vite fills in `import.meta.dirname`).
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    // Relative to `root`.
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2023',
    // The preload polyfill would be inlined into index.html, which `script-src 'self'` forbids.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
