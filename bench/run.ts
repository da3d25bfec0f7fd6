// `npm run bench`: measures Keyfob's speed and scale against the targets of the issue and prints one markdown table,
// also written to bench/results.md. Targets are measured here, never asserted by timed tests. Headless machines get
// a throw-away keychain: the bench re-runs itself inside a private D-Bus session with an unlocked gnome-keyring.
// Options: --only <part,part> (requests, overhead, scale, reconcile, renderer, token, sso, vault, personal); with --merge, a partial run's
// rows replace the rows of the same areas in bench/results.md (the other rows are kept as measured).
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchKeychain, rerunInsidePrivateKeyring } from './lib/keyring.js';
import { markdown } from './lib/report.js';
import type { BenchContext, Row, Section } from './lib/report.js';
import { overheadSection } from './overhead.js';
import { personalKeySection } from './personal-key.js';
import { requestsSection } from './requests.js';
import { reconcileSection } from './reconcile.js';
import { rendererSection } from './renderer.js';
import { scaleSection } from './scale.js';
import { ssoSection } from './sso.js';
import { tokenSection } from './token.js';
import { vaultRequestsSection } from './vault-requests.js';

const SECTIONS: Record<string, Section> = {
  requests: requestsSection,
  personal: personalKeySection,
  overhead: overheadSection,
  scale: scaleSection,
  reconcile: reconcileSection,
  renderer: rendererSection,
  token: tokenSection,
  sso: ssoSection,
  vault: vaultRequestsSection,
};

const script = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const rerun = await rerunInsidePrivateKeyring(script, args);
if (rerun !== null) process.exit(rerun);

const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : Object.keys(SECTIONS);
const unknown = only.filter((name) => !(name in SECTIONS));
if (unknown.length) {
  console.error(`bench: unknown part(s) ${unknown.join(', ')}; the parts are ${Object.keys(SECTIONS).join(', ')}`);
  process.exit(2);
}

const started = new Date();
const loadAtStart = os.loadavg()[0] ?? 0;
const t0 = performance.now();
const keychain = await benchKeychain();
const ctx: BenchContext = { keychain, log: (message) => console.error(`bench: ${message}`) };
const rows: Row[] = [];
for (const name of only) {
  const section = SECTIONS[name] as Section;
  const sectionStart = performance.now();
  ctx.log(`${section.name}…`);
  rows.push(...(await section.run(ctx)));
  ctx.log(`${section.name}: ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
}
const table = markdown(rows, { started, seconds: (performance.now() - t0) / 1000, keychain: keychain.description, loadAtStart });
process.stdout.write(table);
const resultsFile = new URL('./results.md', import.meta.url);
if (only.length === Object.keys(SECTIONS).length) {
  fs.writeFileSync(resultsFile, table);
} else if (args.includes('--merge')) {
  fs.writeFileSync(resultsFile, mergeRows(fs.readFileSync(resultsFile, 'utf8'), table, started));
  ctx.log(`a partial run (--only ${only.join(',')}): its rows merged into bench/results.md`);
} else {
  ctx.log('a partial run (--only): bench/results.md left as it was (add --merge to replace its rows there)');
}

/** The new table's rows replace the old table's rows of the same areas; rows of areas not measured now stay. */
function mergeRows(previous: string, fresh: string, when: Date): string {
  const rowsOf = (text: string) => text.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Area |'));
  const areaOf = (row: string) => row.split(' | ')[0] ?? '';
  const freshRows = rowsOf(fresh);
  const areas = new Set(freshRows.map(areaOf));
  const kept = previous.split('\n').filter((l) => !(l.startsWith('| ') && areas.has(areaOf(l))) && !(l.startsWith('Rows of ') && l.includes(' re-measured ')));
  const lastRow = kept.map((l) => l.startsWith('|')).lastIndexOf(true);
  kept.splice(lastRow + 1, 0, ...freshRows);
  const note = `Rows of ${[...areas].map((a) => a.slice(2)).join(', ')} re-measured ${when.toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run bench -- --only … --merge\`).`;
  const at = kept.findIndex((l) => l.startsWith('| Area |'));
  kept.splice(at, 0, note, '');
  return kept.join('\n');
}
// Stray keep-alive sockets must not hold the process open once the table is out.
process.exit(0);
