// The docs' link check: every relative link and `#anchor` in a set of markdown files must resolve — the file exists,
// and an anchor matches a heading's slug the way GitHub makes it. External links (http, https, mailto) are not
// fetched: the tests run without a network. Plain functions over strings, so a test can feed synthetic markdown.
import path from 'node:path';

export interface LinkProblem {
  /** The markdown file the link is in, as given to checkLinks. */
  file: string;
  line: number;
  target: string;
  reason: string;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

/** GitHub's heading slug (github-slugger): lower case, punctuation dropped, each space a hyphen. */
export function githubSlug(heading: string): string {
  return renderedText(heading)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The text a heading shows: link text instead of links, no code or emphasis markers. */
function renderedText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*+/g, '')
    .trim();
}

/** Lines outside fenced code blocks, with their 1-based numbers. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (opener) {
      const mark = opener[1] ?? '';
      if (fence === null) fence = mark;
      else if (mark[0] === fence[0] && mark.length >= fence.length) fence = null;
      return;
    }
    if (fence === null) out.push({ line: i + 1, text });
  });
  return out;
}

/** Every anchor a file offers: its headings' slugs (with GitHub's -1, -2 … for repeats) and explicit HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      const slug = githubSlug(heading[1] ?? '');
      const n = seen.get(slug) ?? 0;
      seen.set(slug, n + 1);
      anchors.add(n === 0 ? slug : `${slug}-${n}`);
    }
    for (const m of text.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(m[1] ?? '');
  }
  return anchors;
}

/** Inline links and images, and reference definitions, outside code blocks and code spans. */
export function linksOf(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = text.replace(/(`+)[^`]*?\1/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ line, target: m[1] ?? '' });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(prose);
    if (definition) links.push({ line, target: definition[1] ?? '' });
  }
  return links;
}

function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * Checks every relative link of `files` (repository-relative path → markdown). `exists` answers whether a
 * repository-relative path is a file or directory; markdown targets are read from `files` for their anchors, so
 * every markdown file a link may point at must be among them.
 */
export function checkLinks(files: ReadonlyMap<string, string>, exists: (repoPath: string) => boolean): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsFor = (file: string): Set<string> | undefined => {
    const text = files.get(file);
    if (text === undefined) return undefined;
    let anchors = anchorCache.get(file);
    if (!anchors) anchorCache.set(file, (anchors = anchorsOf(text)));
    return anchors;
  };

  for (const [file, markdown] of files) {
    for (const { line, target } of linksOf(markdown)) {
      if (target === '') {
        problems.push({ file, line, target, reason: 'empty link' });
        continue;
      }
      if (isExternal(target)) continue;
      const hashAt = target.indexOf('#');
      const pathPart = decodeURIComponent(hashAt < 0 ? target : target.slice(0, hashAt));
      const anchor = hashAt < 0 ? null : decodeURIComponent(target.slice(hashAt + 1));
      if (pathPart.startsWith('/')) {
        problems.push({ file, line, target, reason: 'absolute path: use a path relative to this file' });
        continue;
      }
      const resolved = pathPart === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), pathPart));
      if (resolved === '..' || resolved.startsWith('../')) {
        problems.push({ file, line, target, reason: 'points outside the repository' });
        continue;
      }
      const resolvedFile = resolved.replace(/\/$/, '');
      if (pathPart !== '' && !exists(resolvedFile)) {
        problems.push({ file, line, target, reason: `${resolvedFile} does not exist` });
        continue;
      }
      if (anchor === null) continue;
      if (!resolvedFile.endsWith('.md')) {
        problems.push({ file, line, target, reason: 'an anchor on a file that is not markdown' });
        continue;
      }
      const anchors = anchorsFor(resolvedFile);
      if (!anchors) problems.push({ file, line, target, reason: `${resolvedFile} is not among the checked markdown files` });
      else if (!anchors.has(anchor)) problems.push({ file, line, target, reason: `no heading in ${resolvedFile} has the anchor #${anchor}` });
    }
  }
  return problems;
}

export function formatProblems(problems: readonly LinkProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${p.target} — ${p.reason}`).join('\n');
}

/** The top-level folders of the repository whose files the docs cite by path. */
const SOURCE_ROOTS = ['main', 'preload', 'renderer', 'test', 'bench', 'build', 'bin', 'docs', '.ci'];

/** Every line with its 1-based number, and whether it is inside a fenced code block. */
function allLines(markdown: string): { line: number; text: string; code: boolean; info: string }[] {
  const out: { line: number; text: string; code: boolean; info: string }[] = [];
  let fence: string | null = null;
  let info = '';
  markdown.split('\n').forEach((text, i) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})\s*(\S*)/.exec(text);
    if (opener) {
      const mark = opener[1] ?? '';
      if (fence === null) {
        fence = mark;
        info = opener[2] ?? '';
      } else if (mark[0] === fence[0] && mark.length >= fence.length) fence = null;
      return;
    }
    out.push({ line: i + 1, text, code: fence !== null, info: fence !== null ? info : '' });
  });
  return out;
}

/**
 * Repository paths named anywhere in the docs: a whole code span (`main/core/leases/lease-ledger.ts`), a word of a
 * command in a code span or a code block (`bash test/run.sh test/cli/exec.test.ts`), and a path in plain prose
 * (test/cli/harness.ts). A word counts when it starts with a source folder and a slash; a trailing `:line`, and
 * punctuation around it, are dropped. Build outputs (`dist/`, `renderer/dist/`), patterns (`<group>`, `*`, `{a,b}`,
 * `…`) and placeholders in capitals (`docs/NAME.md`) are not paths to check. A fenced block whose info string says
 * `text` or `console` (program output, an example file) is not checked.
 */
export function citedPathsOf(markdown: string): MarkdownLink[] {
  const cited: MarkdownLink[] = [];
  const root = new RegExp(`^(?:${SOURCE_ROOTS.map((r) => r.replace('.', '\\.')).join('|')})/`);
  const path = /^[\w.@/-]*$/;
  const add = (line: number, word: string): void => {
    const w = word.replace(/^[("'<[]+/, '').replace(/[)"'>\],.;!?]+$/, '').replace(/:\d+(?::\d+)?$/, '').replace(/:$/, '');
    if (!root.test(w) || !path.test(w) || /(^|\/)dist(\/|$)/.test(w) || /\/[A-Z][A-Z_]+(\.|\/|$)/.test(w)) return;
    if (!cited.some((c) => c.line === line && c.target === w)) cited.push({ line, target: w });
  };
  for (const { line, text, code, info } of allLines(markdown)) {
    if (code) {
      if (info !== 'text' && info !== 'console') for (const word of text.split(/\s+/)) add(line, word);
      continue;
    }
    for (const m of text.matchAll(/`([^`]+)`/g)) for (const word of (m[1] ?? '').split(/\s+/)) add(line, word);
    // Plain prose: outside code spans and link targets (links are checked as links).
    const prose = text.replace(/(`+)[^`]*?\1/g, ' ').replace(/\]\([^)]*\)/g, '] ');
    for (const word of prose.split(/\s+/)) if (/\.[a-z]{1,4}[)"'>\],.;:!?]*$/.test(word)) add(line, word);
  }
  return cited;
}

/** A cited path exists as given, or (for an import specifier such as `index.js`) as its TypeScript source. */
export function citedPathExists(target: string, exists: (repoPath: string) => boolean): boolean {
  const p = target.replace(/\/$/, '');
  return exists(p) || (p.endsWith('.js') && exists(`${p.slice(0, -3)}.ts`));
}
