// axe-core in the page, run in an isolated world of its own through the DevTools protocol: the page's CSP forbids
// injected scripts (and a test must not loosen the policy it checks), and the page's clock is Playwright's paused
// fake — axe's own timers would never fire there. The isolated world shares the DOM and styles, not the globals.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
let source: Promise<string> | null = null;

const RUN = `axe.run(document, { resultTypes: ['violations'] }).then((r) => JSON.stringify(r.violations.map((v) => ({
  id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
}))))`;

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; summary?: string }>;
}

/** One line per violation and node ("color-contrast (serious): .danger — …"); empty when the page is clean. */
export async function axeViolations(page: Page): Promise<string[]> {
  source ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const script = await source;
  const cdp = await page.context().newCDPSession(page);
  try {
    const { frameTree } = await cdp.send('Page.getFrameTree');
    const { executionContextId } = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: 'keyfob-axe' });
    const loaded = await cdp.send('Runtime.evaluate', { expression: script, contextId: executionContextId });
    if (loaded.exceptionDetails) throw new Error(`axe-core did not load: ${loaded.exceptionDetails.text}`);
    const ran = await cdp.send('Runtime.evaluate', { expression: RUN, contextId: executionContextId, awaitPromise: true, returnByValue: true });
    if (ran.exceptionDetails) throw new Error(`axe-core failed: ${ran.exceptionDetails.exception?.description ?? ran.exceptionDetails.text}`);
    const violations = JSON.parse(String(ran.result.value)) as Violation[];
    return violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${v.help}. ${n.summary ?? ''}`.replace(/\s+/g, ' ').trim()));
  } finally {
    await cdp.detach();
  }
}
