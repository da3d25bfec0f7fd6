// Vault ACL policies, reduced to what a desktop client meets: a path glob (`*` at the end = prefix) and capabilities.
// `default` is the built-in default policy: it lets a token look up, renew and revoke itself and renew and look up
// leases, but not revoke leases, create child tokens or revoke by accessor (a platform policy must grant those).
export type Capability = 'read' | 'list' | 'update' | 'create' | 'delete' | 'sudo';

export interface PolicyRule {
  path: string;
  capabilities: Capability[];
}

export const DEFAULT_POLICY: PolicyRule[] = [
  { path: 'auth/token/lookup-self', capabilities: ['read'] },
  { path: 'auth/token/renew-self', capabilities: ['update'] },
  { path: 'auth/token/revoke-self', capabilities: ['update'] },
  { path: 'sys/leases/renew', capabilities: ['update'] },
  { path: 'sys/leases/lookup', capabilities: ['update'] },
];

/** What Keyfob's developer needs on a mount named `mount` (docs/team-vault.md prints the same policy). */
export function developerPolicy(mount: string): PolicyRule[] {
  return [
    { path: `${mount}/roles`, capabilities: ['list'] },
    { path: `${mount}/roles/*`, capabilities: ['read'] },
    { path: `${mount}/creds/*`, capabilities: ['read', 'update'] },
    { path: 'sys/leases/revoke', capabilities: ['update'] },
    { path: `sys/leases/revoke/${mount}/creds/*`, capabilities: ['update'] },
    { path: 'auth/token/create', capabilities: ['update'] },
    { path: 'auth/token/revoke-accessor', capabilities: ['update'] },
  ];
}

function matches(glob: string, path: string): boolean {
  return glob.endsWith('*') ? path.startsWith(glob.slice(0, -1)) : glob === path;
}

/** `root` may do anything; otherwise any rule of any of the token's policies that names the path and capability. */
export function allowed(policies: readonly string[], table: ReadonlyMap<string, PolicyRule[]>, path: string, capability: Capability): boolean {
  if (policies.includes('root')) return true;
  return policies.some((name) => (table.get(name) ?? []).some((rule) => matches(rule.path, path) && rule.capabilities.includes(capability)));
}
