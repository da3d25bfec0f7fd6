// The window's API (preload/api.ts) implemented over the core: one plain async function per channel, no Electron,
// so the window's browser tests call them directly. Every result is an IpcResult: errors become their serialised
// KeyfobError (already redacted), never a thrown exception. Keys leave main only through `revealKey`; `issue`
// returns the lease without its key, and copying happens here, in main.
import { KeyfobError, toKeyfobError } from '../core/errors.js';
import { normalizeProxyUrl } from '../core/litellm/index.js';
import type { KeyfobCore } from '../core/core-api.js';
import type { Settings } from '../core/types.js';
import type { ApiHandlers, IpcResult } from '../../preload/api.js';
import type { ApiContext } from './context.js';
import { checkSignInPage, checkVaultSignInPage } from './sign-in-page.js';
import { buildSnapshot } from './snapshot.js';
import { inRequestTerms, vaultConnectInput } from './vault-connect.js';

async function result<T>(work: () => Promise<T> | T): Promise<IpcResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (e) {
    return { ok: false, error: toKeyfobError(e).toJSON() };
  }
}

/**
 * The proxy URL moves only through `connect`, where the person enters their LiteLLM key for the new URL: a settings
 * change from the window (which a compromised renderer controls) never aims keys or tools at another host.
 */
function refuseUrlChange(patch: unknown, current: Settings): void {
  if (typeof patch !== 'object' || patch === null || !('litellm_url' in patch)) return;
  if ((patch as { litellm_url?: unknown }).litellm_url === current.litellm_url) return;
  const message = 'changes only by connecting again, with your LiteLLM key for the new URL';
  throw new KeyfobError('validation', `litellm_url: ${message}.`, {
    fields: [{ field: 'litellm_url', message }],
    hint: 'Use Connect in Settings → Connection (or `keyfob connect --url URL`).',
  });
}

function normalizedUrl(url: string): string {
  return normalizeProxyUrl(url, 'url');
}

export function createApiHandlers(ctx: ApiContext): ApiHandlers {
  const core = (): KeyfobCore => {
    const running = ctx.core();
    if (running) return running;
    throw ctx.startError() ?? new KeyfobError('state-unavailable', 'Keyfob is still starting.', { hint: 'Try again in a moment.' });
  };
  /**
   * Work that goes to the proxy: its outcome moves the proxy's health. `clears`: a success proves the proxy answered
   * (false for calls that may be served locally, e.g. a copy of a live key).
   */
  const viaProxy = <T>(work: () => Promise<T> | T, clears = true): (() => Promise<T>) => async () => {
    try {
      const value = await work();
      if (clears) ctx.proxyHealth?.succeeded();
      return value;
    } catch (e) {
      ctx.proxyHealth?.failed(e);
      throw e;
    }
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
        ctx.proxyHealth?.reset(); // connect checked the new URL and admin key
        return core().connectionStatus();
      }),
    forgetAdminKey: () =>
      changing(async () => {
        await core().forgetAdminKey();
        ctx.proxyHealth?.reset();
        return core().connectionStatus();
      }),
    signInWithSso: (req) =>
      changing(async () => {
        const open = ctx.openExternal;
        if (!open) throw new KeyfobError('state-unavailable', 'Signing in with SSO is not available here.', { hint: 'Run `keyfob connect --sso --url URL` in a terminal.' });
        // The page is checked against the URL the sign-in runs for; main opens it, the renderer never sees it.
        await core().connectSso(
          { url: req.url, team: req.team ?? null, caFile: req.caFile ?? null, allowInsecureTls: req.allowInsecureTls ?? false },
          (page) => open(checkSignInPage(page, normalizedUrl(req.url))),
        );
        ctx.proxyHealth?.reset();
        return core().connectionStatus();
      }),
    connectVault: (req) =>
      changing(async () => {
        const input = vaultConnectInput(req);
        const open = ctx.openExternal;
        if (input.method === 'oidc' && !open) {
          throw new KeyfobError('state-unavailable', 'Signing in to Vault with OIDC is not available here.', { hint: 'Run `keyfob connect --vault URL --method oidc` in a terminal.' });
        }
        await core().vault.connect({
          // The person's port, else the context's (tests), else Vault's usual 8250.
          ...(ctx.vaultOidcPort === undefined ? {} : { oidcPort: ctx.vaultOidcPort }),
          ...input,
          // Main opens Vault's sign-in page; the window only says to finish in the browser, and never sees the page.
          openBrowser: async (page) => open?.(checkVaultSignInPage(page)),
          print: () => undefined,
        }).catch((e: unknown) => {
          throw inRequestTerms(e);
        });
        ctx.proxyHealth?.reset();
        return core().connectionStatus();
      }),
    signOut: () =>
      changing(async () => {
        const report = await core().signOut();
        ctx.proxyHealth?.reset();
        return report;
      }),
    useSessionOnlyStore: () =>
      changing(async () => {
        await ctx.useSessionOnlyStore();
        return core().connectionStatus();
      }),
    listModels: () => result(viaProxy(() => core().listModels())),

    saveRole: (input) => changing(() => core().saveRole(input)),
    deleteRole: (name) =>
      changing(() => {
        core().deleteRole(name);
        return null;
      }),

    issue: (role) => changing(viaProxy(async () => (await core().leases.issue(role)).lease)),
    copyRoleKey: (role) => changing(viaProxy(async () => (await core().leases.copyRoleKey(role)).lease, false)),
    copyLeaseKey: (leaseId) => result(() => core().leases.copyLeaseKey(leaseId)),
    revealKey: (leaseId) => result(() => core().leases.revealKey(leaseId)),
    renew: (leaseId) => changing(viaProxy(() => core().leases.renew(leaseId))),
    revoke: (leaseId) => changing(viaProxy(() => core().leases.revoke(leaseId), false)),
    revokeAll: () => changing(viaProxy(() => core().leases.revokeAll(), false)),
    keyInfo: (leaseId) =>
      result(viaProxy(async () => {
        const info = await core().keyInfo(leaseId);
        return { lease_id: leaseId, spend: info.spend, max_budget: info.max_budget };
      })),

    updateSettings: (patch) =>
      changing(async () => {
        const previous = core().getSettings();
        refuseUrlChange(patch, previous);
        const next = core().updateSettings(patch);
        await ctx.settingsApplied(previous, next);
        return next;
      }),
    auditLog: (limit) => result(() => core().auditLog(limit)),
    runToolSetup: (role, tool) =>
      result(() => {
        if (!ctx.toolSetup) throw new KeyfobError('state-unavailable', 'Setting up tools from the window is not available here.', { hint: 'Run the command shown in a terminal.' });
        return ctx.toolSetup(role, tool);
      }),
    commandLineTool: (action) =>
      result(() => {
        if (!ctx.commandLineTool) throw new KeyfobError('state-unavailable', 'The command-line tool can be installed only from the Keyfob app.');
        return ctx.commandLineTool(action);
      }),
  };
}
