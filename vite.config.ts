// Builds the window (renderer/) into static files that load from file:// under the app's strict CSP:
// relative asset paths, one external module script, no inline scripts or styles, no module-preload polyfill
// (Vite would otherwise add code for it), sourcemaps off so nothing but the app ships.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  // Absolute, so the build does not depend on the directory it is started from (the tests build from anywhere).
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome130',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
});
