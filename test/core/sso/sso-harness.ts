// What the SSO suites share: a simulator that offers the sign-in (alice, an internal user in one team), a sign-in
// driven by the scripted browser, a private keychain service and state directory per test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { KeytarSecretStore } from '../../../main/core/keychain/index.js';
import { signInWithSso, SsoSessionCredential, type SsoSessionRecord } from '../../../main/core/sso/index.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import type { SsoRelease } from '../../sim/sso-state.js';
import { ScriptedBrowser, type BrowserScript, type BrowserVisit } from '../../sim/sso-browser.js';
import type { FakeClock } from '../../support/fake-clock.js';

export const START = Date.parse('2026-12-01T09:00:00.000Z');

export async function ssoSimulator(release: SsoRelease = '1.100.4', teams: string[] = ['team-a']): Promise<Simulator> {
  const sim = await startSimulator({ startTime: START });
  sim.sso.release = release;
  sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  for (const team of teams) sim.addTeam({ team_id: team, team_alias: `Team ${team}`, members: [{ user_id: 'alice', role: 'user' }] });
  return sim;
}

export interface SignedIn {
  record: SsoSessionRecord;
  visit: BrowserVisit;
}

/** The whole sign-in against `sim`, the scripted browser clicking through as told. */
export async function signIn(sim: Simulator, clock: FakeClock, script: BrowserScript = {}): Promise<SignedIn> {
  let visit: BrowserVisit | null = null;
  const record = await signInWithSso({
    url: sim.url, clock,
    openBrowser: async (url) => { visit = await new ScriptedBrowser().open(url, script); },
  });
  if (!visit) throw new Error('the browser was never opened');
  return { record, visit };
}

export interface Workspace {
  service: string;
  stateDir: string;
  secrets: KeytarSecretStore;
  cleanup(): Promise<void>;
}

export function workspace(): Workspace {
  const service = `keyfob-sso-test-${randomUUID()}`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'keyfob-sso-'));
  const secrets = new KeytarSecretStore({ service });
  return {
    service, stateDir, secrets,
    async cleanup() {
      await secrets.delete('sso-session').catch(() => false);
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A signed-in session stored in the workspace's keychain. */
export async function storedSession(sim: Simulator, clock: FakeClock, ws: Workspace): Promise<SsoSessionCredential> {
  const { record } = await signIn(sim, clock);
  return SsoSessionCredential.store(record, { secrets: ws.secrets, clock, stateDir: ws.stateDir });
}

/** A GET with the token as its bearer credential. */
export async function getAs(sim: Simulator, token: string, route: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${route}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() as unknown };
}

export async function postJsonAs(sim: Simulator, token: string, route: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as unknown };
}

export function refreshCount(sim: Simulator): number {
  return sim.sso.tokenGrants.filter((g) => g.grant === 'refresh_token').length;
}
