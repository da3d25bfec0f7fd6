// The layer rules in eslint.config.js, proven on probe sources: each forbidden arrow is reported, each allowed one is not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<{ file: string; source: string; forbidden: RegExp | null }> = [
  { file: 'main/core/roles/probe.ts', source: "import { LiteLLMClient } from '../litellm/litellm-client.js';\nexport const x = LiteLLMClient;\n", forbidden: /through its index\.js/ },
  { file: 'main/core/roles/probe.ts', source: "import { LiteLLMClient } from '../litellm/index.js';\nexport const x = LiteLLMClient;\n", forbidden: null },
  // The seam: no file under leases/ reaches LiteLLM, not even through its index or for a type.
  { file: 'main/core/leases/probe.ts', source: "import { LiteLLMClient } from '../litellm/index.js';\nexport const x = LiteLLMClient;\n", forbidden: /speaks only the KeyBackend port/ },
  { file: 'main/core/leases/probe.ts', source: "import type { LiteLLMAdmin } from '../litellm/index.js';\nexport type X = LiteLLMAdmin;\n", forbidden: /speaks only the KeyBackend port/ },
  { file: 'main/core/leases/probe.ts', source: "import type { KeyBackend } from '../backend/index.js';\nexport type X = KeyBackend;\n", forbidden: null },
  { file: 'main/core/leases/probe.ts', source: "import { LeaseLedger } from './lease-ledger.js';\nexport const x = LeaseLedger;\n", forbidden: null },
  { file: 'main/core/probe.ts', source: "import { app } from 'electron';\nexport const x = app;\n", forbidden: /never imports electron/ },
  { file: 'main/core/roles/probe.ts', source: "import { createTray } from '../../electron/tray.js';\nexport const x = createTray;\n", forbidden: /imports nothing from the app/ },
  { file: 'main/cli/probe.ts', source: "import { LeaseManager } from '../core/leases/lease-manager.js';\nexport const x = LeaseManager;\n", forbidden: /through its index\.js/ },
  { file: 'main/cli/probe.ts', source: "import { LeaseManager } from '../core/leases/index.js';\nexport const x = LeaseManager;\n", forbidden: null },
  { file: 'renderer/src/probe.ts', source: "import type { LeaseView } from '../../main/core/types.js';\nexport type X = LeaseView;\n", forbidden: /only the contract/ },
  { file: 'renderer/src/probe.ts', source: "import type { LeaseView } from '../../preload/api.js';\nexport type X = LeaseView;\n", forbidden: null },
  { file: 'renderer/src/probe.ts', source: "import { bridge } from '../../preload/preload.js';\nexport const x = bridge;\n", forbidden: /the contract only/ },
  { file: 'renderer/src/probe.ts', source: "import { countsAsLive } from '../../preload/lease-rules.js';\nexport const x = countsAsLive;\n", forbidden: null },
];

for (const { file, source, forbidden } of cases) {
  const arrow = source.split('\n')[0];
  test(`${file}: ${arrow} is ${forbidden ? 'refused' : 'allowed'}`, async () => {
    const messages = await restrictedImports(file, source);
    if (forbidden) {
      assert.ok(messages.length >= 1, `expected a layer error, got ${JSON.stringify(messages)}`);
      assert.ok(messages.some((m) => forbidden.test(m)), `expected ${forbidden}, got ${JSON.stringify(messages)}`);
    } else {
      assert.deepEqual(messages, []);
    }
  });
}

test('no file under main/core/leases/ imports litellm/ (the seam holds on the real sources)', async () => {
  const fs = await import('node:fs');
  const dir = path.join(root, 'main/core/leases');
  const offenders = fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))
    .filter((f) => /from '\.\.\/litellm(\/|')/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
  assert.deepEqual(offenders, []);
});
