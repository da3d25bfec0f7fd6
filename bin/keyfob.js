#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const entry = new URL('../dist/main/cli/keyfob.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('keyfob: not built yet — run `npm run build` (or `npm ci`, which builds) in the Keyfob checkout.');
  process.exit(1);
}
// `keyfob token` is what tools run on every key refresh: a live lease is answered by a small module, without
// loading the whole CLI; it returns null when the full command is needed (a renewal, an issue, anything unusual).
const argv = process.argv.slice(2);
if (argv.includes('token')) {
  const { runTokenHotPath } = await import(new URL('../dist/main/cli/commands/token-hot-path.js', import.meta.url).href);
  const status = await runTokenHotPath(argv, process.env, process.stdout);
  if (status !== null) {
    process.exitCode = status;
  } else {
    await import(entry.href);
  }
} else {
  await import(entry.href);
}
