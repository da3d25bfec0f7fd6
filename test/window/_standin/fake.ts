import type { ApiHandlers, AppSnapshot } from '../../../preload/api.js';
import type { LeaseView, Role, Settings } from '../../../main/core/types.js';
export function fakeMain(start: number, opts: { connected: boolean; leases: number }) {
  let now = start;
  const settings: Settings = { litellm_url: opts.connected ? 'https://litellm.example.com' : null, ca_file: null, allow_insecure_tls: false, request_timeout_seconds: 10, default_lease_ttl_seconds: 3600, max_lease_ttl_seconds: 86400, clipboard_clear_seconds: 30, idle_threshold_seconds: 600, revoke_on: { quit: true, logout: true, lock: false, suspend: false }, launch_at_login: false, notifications: true };
  const role = (name: string, extra: Partial<Role> = {}): Role => ({ name, models: [], max_budget: 0, budget_duration: null, tpm_limit: null, rpm_limit: null, max_parallel_requests: null, team_id: null, user_id: null, key_alias_prefix: 'keyfob', metadata: {}, ttl: 0, max_ttl: 0, ...extra });
  const roles: Role[] = opts.connected ? [role('dev', { models: ['gpt-4o', 'gpt-4o-mini'], max_budget: 5, budget_duration: '30d', ttl: 3600, max_ttl: 28800 }), role('ci', { ttl: 900, rpm_limit: 60 }), role('research', { models: ['claude-sonnet-4'], max_budget: 20 })] : [];
  const leases: LeaseView[] = [];
  let n = 0;
  const mk = (r: string, ttl: number, extra: Partial<LeaseView> = {}): LeaseView => {
    n++;
    const iss = now - 600_000 * (n % 5);
    return { lease_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, role: r, key_alias: `keyfob-${r}-${(0xabcdef12 + n * 7919).toString(16).slice(0, 8)}`, token_hash: 'x', key_hint: `sk-...${String(1000 + n).slice(-4)}`, models: roles.find((x) => x.name === r)?.models ?? [], max_budget: roles.find((x) => x.name === r)?.max_budget ?? 0, issued_at: new Date(iss).toISOString(), expires_at: new Date(now + ttl * 1000).toISOString(), max_expires_at: new Date(iss + 8 * 3600_000).toISOString(), ttl_seconds: 3600, renewable: true, state: 'active', revoke_attempts: 0, next_attempt_at: null, ended_reason: null, ended_at: null, last_error: null, idle_will_expire: false, ...extra };
  };
  if (opts.connected) {
    leases.push(mk('dev', 2400));
    leases.push(mk('ci', 250));
    leases.push(mk('research', 50, { idle_will_expire: true }));
    leases.push(mk('dev', 5000, { state: 'revoking', revoke_attempts: 2, last_error: { kind: 'unreachable', message: 'The LiteLLM proxy at https://litellm.example.com did not answer (connection refused).' } }));
    leases.push(mk('ci', 7200, { state: 'irrevocable', revoke_attempts: 8, last_error: { kind: 'server-error', message: 'The proxy answered 500.' } }));
    for (let i = 5; i < opts.leases; i++) leases.push(mk(['dev', 'ci', 'research'][i % 3]!, 60 + ((i * 137) % 7000)));
  }
  let adminStored = opts.connected;
  const snap = (): AppSnapshot => ({ connection: { url: settings.litellm_url, admin_key_stored: adminStored, keychain_backend: 'Secret Service (gnome-keyring/KWallet via libsecret)', session_only: false }, settings, roles: [...roles], leases: [...leases], now, notices: [], last_reconcile: null, platform: 'linux' });
  const ok = <T>(value: T) => Promise.resolve({ ok: true as const, value });
  const handlers: ApiHandlers = {
    getSnapshot: () => ok(snap()),
    testConnection: async (req) => req.adminKey === 'bad' ? ok({ reachable: true, admin_ok: false, db_connected: null, error: { kind: 'admin-key-rejected', message: 'The proxy rejected the admin key (401).', hint: 'Check the master key.' } }) : ok({ reachable: true, admin_ok: true, db_connected: true, error: null }),
    connect: async (req) => { if (req.adminKey === 'bad') return { ok: false, error: { kind: 'admin-key-rejected', message: 'The proxy rejected the admin key (401).', hint: 'Check the master key.' } }; settings.litellm_url = req.url; adminStored = true; return ok(snap().connection); },
    forgetAdminKey: async () => { adminStored = false; return ok(snap().connection); },
    useSessionOnlyStore: async () => ok(snap().connection),
    listModels: () => ok(['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']),
    saveRole: async (input) => { if (!/^\w[\w.-]*$/.test(input.name)) return { ok: false, error: { kind: 'validation', message: 'The role is not valid.', fields: [{ field: 'name', message: 'Use lower case letters, digits, . _ -' }, { field: 'ttl', message: 'Not a duration.' }] } }; const r = role(input.name, { models: input.models ?? [] }); const i = roles.findIndex((x) => x.name === r.name); if (i >= 0) roles[i] = r; else roles.push(r); return ok(r); },
    deleteRole: async (name) => { roles.splice(roles.findIndex((r) => r.name === name), 1); return ok(null); },
    issue: async (r) => { const l = mk(r, 3600, { issued_at: new Date(now).toISOString() }); leases.push(l); return ok(l); },
    copyRoleKey: async (r) => ok(leases.find((l) => l.role === r)!),
    copyLeaseKey: async (id) => ok(leases.find((l) => l.lease_id === id)!),
    revealKey: async () => ok('sk-Zx81kQ2p7vV0abcdEFGHijkl'),
    renew: async (id) => { const l = leases.find((x) => x.lease_id === id)!; l.expires_at = new Date(now + 3600_000).toISOString(); return ok({ ...l }); },
    revoke: async (id) => { const i = leases.findIndex((x) => x.lease_id === id); const l = { ...leases[i]!, state: 'revoked' as const }; leases.splice(i, 1); return ok(l); },
    revokeAll: async () => { const c = leases.length; leases.splice(0); return ok({ revoked: c, failed: 0, left: [] }); },
    keyInfo: async (id) => ok({ lease_id: id, spend: 0.0312, max_budget: leases.find((l) => l.lease_id === id)?.max_budget || null }),
    updateSettings: async (p) => { Object.assign(settings, p); return ok(settings); },
    auditLog: async () => ok([{ time: new Date(now - 60000).toISOString(), action: 'issue', outcome: 'ok', lease_id: 'x', role: 'dev', key_alias: 'keyfob-dev-abcdef12' }, { time: new Date(now - 30000).toISOString(), action: 'renew', outcome: 'failed', role: 'ci', key_alias: 'keyfob-ci-1234abcd', detail: 'The proxy answered 500.' }, { time: new Date(now).toISOString(), action: 'revoke', outcome: 'ok', role: 'dev', key_alias: 'keyfob-dev-abcdef12' }]),
  };
  return { handlers, advance: (ms: number) => { now += ms; }, snap };
}
