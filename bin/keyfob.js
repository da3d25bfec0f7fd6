#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `prepare` on install).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const argv = process.argv.slice(2);
const entry = new URL('../dist/main/cli/keyfob.js', import.meta.url);
if (argv.length === 1 && argv[0] === '--version') {
  // Answered here, before anything else is loaded: as fast as the token hot path.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`keyfob ${pkg.version}\n`);
} else if (!existsSync(fileURLToPath(entry))) {
  console.error('keyfob: not built yet — run `npm run build` (or `npm ci`, which builds) in the Keyfob checkout.');
  process.exitCode = 1;
} else if (argv.includes('token')) {
  // `keyfob token` is what tools run on every key refresh: a live lease is answered by a small module, without
  // loading the whole CLI; it returns null when the full command is needed (a renewal, an issue, anything unusual).
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
