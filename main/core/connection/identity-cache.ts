// What the connected credential is on the proxy (CallerIdentity), remembered in the state directory so that a new
// process's first issue needs no `/key/info` + `/user/info` first. The file names the credential only by its SHA-256
// fingerprint, never the secret itself; an entry for another credential or another URL is ignored, and a refusal
// from the proxy removes it (the credential's rights may have changed), so the next process asks again.
import fs from 'node:fs';
import path from 'node:path';
import type { CallerIdentity, CallerRole } from '../backend/index.js';
import { isPlainObject } from '../text-rules.js';

export const IDENTITY_FILE = 'identity.json';

const ROLES: ReadonlySet<CallerRole> = new Set(['master-key', 'proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer', 'key-without-user', 'unknown']);

export class IdentityCache {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, IDENTITY_FILE);
  }

  /** The identity remembered for this credential at this URL, or null. */
  read(fingerprint: string, url: string): CallerIdentity | null {
    try {
      const doc: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (!isPlainObject(doc) || doc.v !== 1 || doc.credential_sha256 !== fingerprint || doc.url !== url) return null;
      return asIdentity(doc.identity);
    } catch {
      return null;
    }
  }

  /** Best effort: an identity not remembered is looked up again by the next process. */
  write(fingerprint: string, url: string, identity: CallerIdentity, kind: string | null = null): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.writeFileSync(tmp, `${JSON.stringify({ v: 1, credential_sha256: fingerprint, url, identity, credential_kind: kind })}\n`, { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      fs.rmSync(tmp, { force: true });
    }
  }

  /**
   * The kind of credential (`static-key`, `sso-session`) last connected at `url`, for a check that cannot wait for
   * the keychain (saving a role); null when not remembered.
   */
  kindAt(url: string | null): string | null {
    try {
      const doc: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      if (!isPlainObject(doc) || doc.v !== 1 || doc.url !== url) return null;
      return typeof doc.credential_kind === 'string' ? doc.credential_kind : null;
    } catch {
      return null;
    }
  }

  clear(): void {
    try {
      fs.rmSync(this.file, { force: true });
    } catch {
      // nothing to clear
    }
  }
}

function asIdentity(value: unknown): CallerIdentity | null {
  if (!isPlainObject(value)) return null;
  const { userId, role, teams, keyTeamId, summary } = value;
  if (userId !== null && typeof userId !== 'string') return null;
  if (typeof role !== 'string' || !ROLES.has(role as CallerRole)) return null;
  if (keyTeamId !== null && typeof keyTeamId !== 'string') return null;
  if (typeof summary !== 'string' || !Array.isArray(teams)) return null;
  const cleanTeams: CallerIdentity['teams'] = [];
  for (const t of teams) {
    if (!isPlainObject(t) || typeof t.id !== 'string') return null;
    if ((t.alias !== null && typeof t.alias !== 'string') || (t.memberRole !== null && typeof t.memberRole !== 'string')) return null;
    cleanTeams.push({ id: t.id, alias: t.alias, memberRole: t.memberRole });
  }
  return { userId, role: role as CallerRole, teams: cleanTeams, keyTeamId, summary };
}
