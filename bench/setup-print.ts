// `keyfob setup claude-code ROLE --print` on a large settings.json (issue 21: an 8,000-line file took 6.8 s and 609 MB,
// all of it in --print's line diff). Measures what that command does with the file — the merge as text edits and the
// diff — in this process: wall time and the growth of the resident set. Run: `npx tsx bench/setup-print.ts [LINES]`.
import { performance } from 'node:perf_hooks';
import { lineDiff, planClaudeSetup } from '../main/core/tools/index.js';

const lines = Number(process.argv[2] ?? 8000);
const body = Array.from({ length: lines - 2 }, (_, i) => `  "setting${i}": {"id": ${i}, "big": 1234567890123456789${i % 10}},`).join('\n');
const text = `{\n${body}\n  "theme": "dark"\n}\n`;
const values = { apiKeyHelper: "'/usr/bin/node' '/opt/keyfob/bin/keyfob.js' 'token' 'dev'", baseUrl: 'http://127.0.0.1:4000', helperTtlMs: 180_000, models: { ANTHROPIC_MODEL: 'claude-sonnet-4-5' } };

const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
const t0 = performance.now();
const change = planClaudeSetup('/bench/settings.json', text, values, {});
const diff = lineDiff(change.before ?? '', change.after ?? '');
const elapsed = performance.now() - t0;
clearInterval(sample);
peak = Math.max(peak, process.memoryUsage().rss);
console.log(`${lines} lines (${(text.length / 1024).toFixed(0)} KiB): merge + diff ${elapsed.toFixed(1)} ms, ${diff.length} diff lines, resident set +${((peak - rssBefore) / 1024 / 1024).toFixed(1)} MiB`);
