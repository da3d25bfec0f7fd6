// The window's API (preload/api.ts) implemented over the core: one plain async function per channel, no Electron,
// so the window's browser tests call them directly. Every result is an IpcResult: errors become their serialised
// KeyfobError (already redacted), never a thrown exception. Keys leave main only through `revealKey`; `issue`
// returns the lease without its key, and copying happens here, in main.
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import type { KeyfobCore } from '../core/core-api.js';
import type { ApiHandlers, IpcResult } from '../../preload/api.js';
import type { ApiContext } from './context.js';
import { buildSnapshot } from './snapshot.js';

async function result<T>(work: () => Promise<T> | T): Promise<IpcResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toKeyfobError(e).toJSON() };
  }
}

export function createApiHandlers(ctx: ApiContext): ApiHandlers {
  const core = (): KeyfobCore => {
    const running = ctx.core();
    if (running) return running;
    throw ctx.startError() ?? new KeyfobError('state-unavailable', 'Keyfob is still starting.', { hint: 'Try again in a moment.' });
  };
  /** Runs a change, then tells the app that what the window shows changed — also when the change failed halfway. */
  const changing = <T>(work: () => Promise<T> | T): Promise<IpcResult<T>> =>
    result(async () => {
      try {
        return await work();
      } finally {
        ctx.changed();
      }
    });

  return {
    getSnapshot: () => result(() => buildSnapshot(ctx)),

    testConnection: (req) => result(() => core().testConnection(req)),
    connect: (req) =>
      changing(async () => {
        await core().connect({ url: req.url, adminKey: req.adminKey, caFile: req.caFile ?? null, allowInsecureTls: req.allowInsecureTls ?? false });
        return core().connectionStatus();
      }),
    forgetAdminKey: () =>
      changing(async () => {
        await core().forgetAdminKey();
        return core().connectionStatus();
      }),
    useSessionOnlyStore: () =>
      changing(async () => {
        await ctx.useSessionOnlyStore();
        return core().connectionStatus();
      }),
    listModels: () => result(() => core().listModels()),

    saveRole: (input) => changing(() => core().saveRole(input)),
    deleteRole: (name) =>
      changing(() => {
        core().deleteRole(name);
        return null;
      }),

    issue: (role) => changing(async () => (await core().leases.issue(role)).lease),
    copyRoleKey: (role) => changing(async () => (await core().leases.copyRoleKey(role)).lease),
    copyLeaseKey: (leaseId) => result(() => core().leases.copyLeaseKey(leaseId)),
    revealKey: (leaseId) => result(() => core().leases.revealKey(leaseId)),
    renew: (leaseId) => changing(() => core().leases.renew(leaseId)),
    revoke: (leaseId) => changing(() => core().leases.revoke(leaseId)),
    revokeAll: () => changing(() => core().leases.revokeAll()),
    keyInfo: (leaseId) =>
      result(async () => {
        const info = await core().keyInfo(leaseId);
        return { lease_id: leaseId, spend: info.spend, max_budget: info.max_budget };
      }),

    updateSettings: (patch) =>
      changing(async () => {
        const previous = core().getSettings();
        const next = core().updateSettings(patch);
        await ctx.settingsApplied(previous, next);
        return next;
      }),
    auditLog: (limit) => result(() => core().auditLog(limit)),
    // The tool setup code lives with the CLI; until the app wires it here the window does not offer the button
    // (snapshot.features.tool_setup), and a direct call says so.
    runToolSetup: () =>
      result(() => {
        throw new KeyfobError('internal', 'Setting up tools from the window is not available in this version.', { hint: 'Run the command shown in a terminal.' });
      }),
    commandLineTool: (action) =>
      result(() => {
        if (!ctx.commandLineTool) throw new KeyfobError('state-unavailable', 'The command-line tool can be installed only from the Keyfob app.');
        return ctx.commandLineTool(action);
      }),
  };
}
