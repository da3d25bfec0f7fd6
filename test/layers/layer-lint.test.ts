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
  { file: 'main/core/leases/probe.ts', source: "import { LiteLLMClient } from '../litellm/litellm-client.js';\nexport const x = LiteLLMClient;\n", forbidden: /through its index\.js/ },
  { file: 'main/core/leases/probe.ts', source: "import { LiteLLMClient } from '../litellm/index.js';\nexport const x = LiteLLMClient;\n", forbidden: null },
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
      assert.equal(messages.length, 1, `expected one layer error, got ${JSON.stringify(messages)}`);
      assert.match(messages[0] ?? '', forbidden);
    } else {
      assert.deepEqual(messages, []);
    }
  });
}
