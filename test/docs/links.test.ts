// The docs hold together: every relative link and `#anchor` in README.md and docs/**/*.md resolves, the README stays
// short, every page says who it is for and is listed in the index, and the images stay small. The checker itself is
// proven on synthetic markdown, so a broken link cannot pass unnoticed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { anchorsOf, checkLinks, citedPathExists, citedPathsOf, formatProblems, githubSlug, linksOf } from './markdown-links.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README_MAX_LINES = 250;
const IMAGE_MAX_BYTES = 150 * 1024;

function filesUnder(dir: string, ext: string): string[] {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.relative(REPO, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function docs(): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of ['README.md', ...filesUnder('docs', '.md')]) files.set(file, fs.readFileSync(path.join(REPO, file), 'utf8'));
  return files;
}

const existsInRepo = (repoPath: string): boolean => fs.existsSync(path.join(REPO, repoPath));

test('every relative link and #anchor in README.md and docs/**/*.md resolves', () => {
  const files = docs();
  assert.ok(files.size > 1 && files.has('docs/README.md'), 'the docs/ pages are there');
  const linkCount = [...files.values()].reduce((n, md) => n + linksOf(md).length, 0);
  assert.ok(linkCount > 50, `the check saw the links (${linkCount})`);
  const problems = checkLinks(files, existsInRepo);
  assert.deepEqual(problems, [], `broken links:\n${formatProblems(problems)}`);
});

test('every repository path named in README.md and docs/ exists: in code spans, commands, code blocks and prose', () => {
  const missing: string[] = [];
  let cited = 0;
  for (const [file, markdown] of docs()) {
    for (const { line, target } of citedPathsOf(markdown)) {
      cited++;
      if (!citedPathExists(target, existsInRepo)) missing.push(`${file}:${line}: ${target}`);
    }
  }
  assert.ok(cited > 50, `the check saw the cited paths (${cited})`);
  assert.deepEqual(missing, [], `paths that do not exist (moved or renamed?):\n${missing.join('\n')}`);
});

test(`README.md is at most ${README_MAX_LINES} lines`, () => {
  const lines = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8').replace(/\n$/, '').split('\n').length;
  assert.ok(lines <= README_MAX_LINES, `README.md has ${lines} lines`);
});

test('every page under docs/ opens with one line saying who it is for, and the index lists it', () => {
  const files = docs();
  const index = files.get('docs/README.md') ?? '';
  const listed = new Set(linksOf(index).map((l) => path.posix.normalize(path.posix.join('docs', l.target.split('#')[0] ?? ''))));
  for (const [file, markdown] of files) {
    if (!file.startsWith('docs/')) continue;
    const [title, blank, ...rest] = markdown.split('\n');
    assert.match(title ?? '', /^# \S/, `${file} starts with its title`);
    assert.equal(blank, '', `${file}: a blank line after the title`);
    const opening = rest.slice(0, Math.max(0, rest.indexOf(''))).join(' ');
    assert.match(opening, /^\*For [^*]+\*(\s|$)/, `${file}: the paragraph after the title says who the page is for ("*For …*")`);
    if (file !== 'docs/README.md') assert.ok(listed.has(file), `docs/README.md links ${file}`);
  }
});

test(`images under docs/ are under ${IMAGE_MAX_BYTES / 1024} KB`, () => {
  const images = filesUnder('docs', '.png');
  assert.ok(images.length >= 1, 'the README screenshot is there');
  for (const image of images) {
    const size = fs.statSync(path.join(REPO, image)).size;
    assert.ok(size < IMAGE_MAX_BYTES, `${image} is ${size} bytes`);
  }
});

// ── the checker itself ───────────────────────────────────────────────────────────────────────────────────────────

test('slugs are made the way GitHub makes them', () => {
  assert.equal(githubSlug('Renewal — Vault\'s rule'), 'renewal--vaults-rule');
  assert.equal(githubSlug('`exec`: a key that lives as long as a command'), 'exec-a-key-that-lives-as-long-as-a-command');
  assert.equal(githubSlug('Try it in a minute: `npm run demo`'), 'try-it-in-a-minute-npm-run-demo');
  assert.equal(githubSlug('Secrets and bad input (`test/secrets/`)'), 'secrets-and-bad-input-testsecrets');
  assert.equal(githubSlug('The proxy failing: issue, renew and revoke × six faults (`proxy-faults.test.ts`)'),
    'the-proxy-failing-issue-renew-and-revoke--six-faults-proxy-faultstestts');
  assert.equal(githubSlug('Where state lives: `--home` and `KEYFOB_HOME`'), 'where-state-lives---home-and-keyfob_home');
  assert.equal(githubSlug('A **bold** [link](x.md) heading'), 'a-bold-link-heading');
  assert.deepEqual([...anchorsOf('# Tests\n## Tests\n## Tests\n<a id="here"></a>\n')], ['tests', 'tests-1', 'tests-2', 'here']);
});

test('a broken file link, a broken anchor and a broken same-page anchor are each reported; good and skipped links are not', () => {
  const page = [
    '# Page', // line 1
    '## A section', // 2
    'Good: [other](other.md), [its section](other.md#second-part), [here](#a-section), [dir](sub/).', // 3
    'Broken file: [gone](missing.md).', // 4
    'Broken anchor: [wrong](other.md#no-such-heading).', // 5
    'Broken same page: [nowhere](#not-a-heading).', // 6
    'External, not fetched: [site](https://example.com/#x), [mail](mailto:a@b.c).', // 7
    '```md', // 8
    '[inside a code block](missing-too.md)', // 9
    '```', // 10
    'A code span `[not a link](nope.md)` and an image ![shot](images/gone.png).', // 11
    '[ref]: ../outside.md', // 12
  ].join('\n');
  const files = new Map([
    ['docs/page.md', page],
    ['docs/other.md', '# Other\n\n## Second part\n'],
  ]);
  const present = new Set(['docs/other.md', 'docs/page.md', 'docs/sub']);
  const problems = checkLinks(files, (p) => present.has(p));
  assert.deepEqual(problems.map((p) => [p.line, p.target]), [
    [4, 'missing.md'],
    [5, 'other.md#no-such-heading'],
    [6, '#not-a-heading'],
    [11, 'images/gone.png'],
    [12, '../outside.md'],
  ], formatProblems(problems));
  assert.match(problems[1]?.reason ?? '', /no heading in docs\/other\.md has the anchor #no-such-heading/);
});

test('cited paths in every form the docs use: a moved file is caught; build outputs, patterns and placeholders are not', () => {
  const markdown = [
    'The ledger is `main/core/leases/lease-ledger.ts`; the old `main/core/lease-manager.ts` moved.', // 1
    'Built to `dist/preload/preload.cjs` and `renderer/dist/index.html`; groups are `main/core/<group>/`;', // 2
    'suites `test/{core,cli}/`; the demo loads `test/sim/index.js`; `npm test` is not a path.', // 3
    'Run `bash test/run.sh test/cli/gone.test.ts test/cli/exec.test.ts` or see `main/app.ts:98`.', // 4
    'In prose: test/cli/harness.ts and test/cli/vanished.ts, then docs/NAME.md (a placeholder).', // 5
    '```sh', // 6
    'bash test/run.sh test/faults/*.test.ts test/old/removed.test.ts', // 7
    'node .ci/run', // 8
    '```', // 9
    '```text', // 10
    'main/only/an/example/output.ts', // 11
    '```', // 12
    'A [link](test/cli/linked.ts) is checked as a link, not here.', // 13
  ].join('\n');
  const present = new Set(['main/core/leases/lease-ledger.ts', 'test/sim/index.ts', 'test/cli/exec.test.ts', 'main/app.ts', 'test/cli/harness.ts', '.ci/run']);
  const cited = citedPathsOf(markdown);
  assert.deepEqual(cited.map((c) => `${c.line}:${c.target}`), [
    '1:main/core/leases/lease-ledger.ts', '1:main/core/lease-manager.ts', '3:test/sim/index.js',
    '4:test/run.sh', '4:test/cli/gone.test.ts', '4:test/cli/exec.test.ts', '4:main/app.ts',
    '5:test/cli/harness.ts', '5:test/cli/vanished.ts',
    '7:test/run.sh', '7:test/old/removed.test.ts', '8:.ci/run',
  ]);
  const missing = cited.filter((c) => !citedPathExists(c.target, (p) => present.has(p) || p === 'test/run.sh')).map((c) => c.target);
  assert.deepEqual(missing, ['main/core/lease-manager.ts', 'test/cli/gone.test.ts', 'test/cli/vanished.ts', 'test/old/removed.test.ts']);
});

test('the README links resolve from the repository root, docs pages from their own folder', () => {
  const files = new Map([
    ['README.md', '# R\n[arch](docs/dev/architecture.md#the-layer-lint)\n'],
    ['docs/dev/architecture.md', '# A\n## The layer lint\n[back](../../README.md) [bench](../../bench/results.md)\n'],
  ]);
  const present = new Set(['docs/dev/architecture.md', 'README.md', 'bench/results.md']);
  assert.deepEqual(checkLinks(files, (p) => present.has(p)), []);
  present.delete('bench/results.md');
  assert.deepEqual(checkLinks(files, (p) => present.has(p)).map((p) => p.reason), ['bench/results.md does not exist']);
});
