// Bundles the preload for Electron's sandbox: one CommonJS file, dist/preload/preload.cjs, whose only require is
// `electron` (a sandboxed preload cannot load other modules, ESM or files). Run after `tsc -p tsconfig.build.json`,
// which owns the rest of dist/ (hence emptyOutDir: false).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Absolute, so the build does not depend on the directory it is started from.
const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: fromRoot('./'),
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fromRoot('./dist/preload'),
    emptyOutDir: false,
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    lib: {
      entry: fromRoot('./preload/preload.ts'),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rolldownOptions: {
      external: ['electron'],
    },
  },
});
