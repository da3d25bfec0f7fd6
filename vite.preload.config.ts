// Bundles the preload for Electron's sandbox: one CommonJS file, dist/preload/preload.cjs, whose only require is
// `electron` (a sandboxed preload cannot load other modules, ESM or files). Run after `tsc -p tsconfig.build.json`,
// which owns the rest of dist/ (hence emptyOutDir: false).
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist/preload',
    emptyOutDir: false,
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    lib: {
      entry: 'preload/preload.ts',
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
