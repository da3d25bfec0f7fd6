// The window's "Set up" buttons: `keyfob setup claude-code|codex ROLE`, run in the app. The merges are the core's
// (main/core/tools), the same the CLI makes; only the helper command differs, because the app must name a way to
// run the Keyfob CLI that works outside it: the packaged app's `keyfob` launcher (its resources), else node and
// this checkout's bin/keyfob.js, as `keyfobInvocation()` does for the CLI.
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import type { KeyfobCore } from '../core/core-api.js';
import { KeyfobError } from '../core/errors.js';
import { defaultStateDir } from '../core/settings/index.js';
import { helperSetup, planToolSetup, withFileLocks, writeFileChange, TOOL_REGISTRY } from '../core/tools/index.js';
import type { ToolName, ToolSetupResult } from '../../preload/api.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface AppCliLocation {
  platform: NodeJS.Platform;
  /** process.resourcesPath of a packaged app; null when running from a checkout. */
  resourcesPath: string | null;
  /** $APPIMAGE: its resources live in a mount that changes every run, so the AppImage itself is named. */
  appImage: string | null;
  /** The checkout holding bin/keyfob.js (unpackaged). */
  appRoot: string;
  /** The Node binary for bin/keyfob.js. Default: this process's, unless it is Electron's (then node on PATH). */
  nodePath?: string;
  pathEnv?: string;
}

/** The argv that runs the Keyfob CLI from anywhere, for this app. */
export function appKeyfobInvocation(loc: AppCliLocation): string[] {
  if (loc.resourcesPath) {
    if (loc.appImage) return [loc.appImage, '--ozone-platform=headless', '--disable-gpu', '--cli', '--'];
    return [path.join(loc.resourcesPath, loc.platform === 'win32' ? 'keyfob.cmd' : 'keyfob')];
  }
  const node = loc.nodePath ?? (process.versions.electron === undefined ? process.execPath : findOnPath('node', loc.pathEnv ?? '', loc.platform));
  if (!node) throw new KeyfobError('internal', 'Cannot find node on PATH to run bin/keyfob.js from this checkout.', { hint: 'Run `keyfob setup` in a terminal instead.' });
  return [node, path.join(loc.appRoot, 'bin', 'keyfob.js')];
}

function findOnPath(name: string, pathEnv: string, platform: NodeJS.Platform): string | null {
  const p = platform === 'win32' ? path.win32 : path.posix;
  for (const dir of pathEnv.split(platform === 'win32' ? ';' : ':').filter(Boolean)) {
    const candidate = p.join(dir, platform === 'win32' ? `${name}.exe` : name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

export interface ToolSetupInput {
  core: KeyfobCore;
  stateDir: string;
  role: string;
  tool: ToolName;
  /** Where HOME, CLAUDE_CONFIG_DIR and CODEX_HOME are read. */
  env: Env;
  platform: NodeJS.Platform;
  home: string;
  keyfob: readonly string[];
  nowMs: number;
}

/**
 * Merges the helper and the model the role allows into the tool's configuration (each file with a dated backup), as
 * `keyfob setup TOOL ROLE` does.
 */
export async function runToolSetup(input: ToolSetupInput): Promise<ToolSetupResult & { warnings: string[] }> {
  const explicitHome = input.stateDir === defaultStateDir(input.platform, input.env) ? undefined : input.stateDir;
  const setup = await helperSetup(input.core, input.role, { keyfob: input.keyfob, home: explicitHome, connectHint: 'Connect first.' });
  const where = { env: input.env, home: input.home };
  // The same per-file turns as the CLI's setup: a concurrent `keyfob setup` re-reads what this wrote.
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return withFileLocks(TOOL_REGISTRY[input.tool].files(setup.role, where), { sleep }, async () => {
    const { file, changes, model } = await planToolSetup(input.tool, setup, where);
    for (const change of changes) writeFileChange(change, input.nowMs);
    const warnings = [...model.warnings, ...changes.flatMap((c) => c.warnings)];
    return { tool: input.tool, path: file, changed: changes.some((c) => c.changed), model: model.model, model_note: model.note, warnings };
  });
}
