#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/main/cli/keyfob.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('keyfob: not built yet — run `npm run build` (or `npm ci`, which builds) in the Keyfob checkout.');
  process.exit(1);
}
await import(entry.href);
