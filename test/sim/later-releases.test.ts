// LiteLLM after v1.83 (the last section of ../shared/litellm-admin-api.md), a row each: renewals refused by the
// bounds (1.83.3), the Anthropic error envelope on /v1/messages (1.101.0), SCIM-blocked keys, keys deleted with a
// team membership.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeTeamMember, scimDeprovision, startSimulator } from './index.js';

const ADMIN = { authorization: 'Bearer sk-admin', 'content-type': 'application/json' };

async function post(url: string, body: unknown, headers: Record<string, string> = ADMIN) {
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

test('/key/update above upperbound_key_generate_params: allowed before 1.83.3, the generate 400 from it', async (t) => {
  const sim = await startSimulator({ upperboundKeyGenerateParams: { duration: '3600s' } });
  t.after(() => sim.close());
  const { key } = sim.addKey({ duration: '600s' });
  assert.equal((await post(`${sim.url}/key/update`, { key, duration: '7200s' })).status, 200);
  sim.later.release = '1.83.3';
  const refused = await post(`${sim.url}/key/update`, { key, duration: '7200s' });
  assert.equal(refused.status, 400);
  assert.equal((refused.body.error as { message: string }).message,
    "{'error': 'duration is over max limit set in config - user_value=7200s; max_value=3600s'}");
  assert.equal((await post(`${sim.url}/key/update`, { key, duration: '3600s' })).status, 200);
});

test('/v1/messages errors: OpenAI envelope before 1.101.0, Anthropic envelope from it; other routes unchanged', async (t) => {
  const sim = await startSimulator();
  t.after(() => sim.close());
  const bad = { authorization: 'Bearer sk-unknown-key-1234', 'content-type': 'application/json' };
  const before = await post(`${sim.url}/v1/messages`, { model: 'gpt-4o', messages: [] }, bad);
  assert.equal(typeof (before.body.error as { message?: unknown }).message, 'string');
  assert.equal(before.body.type, undefined);
  sim.later.release = '1.101.0';
  const after = await post(`${sim.url}/v1/messages`, { model: 'gpt-4o', messages: [] }, bad);
  assert.equal(after.status, 401);
  assert.equal(after.body.type, 'error');
  assert.equal((after.body.error as { type: string }).type, 'authentication_error');
  assert.match((after.body.error as { message: string }).message, /Invalid proxy server token passed/);
  const chat = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [] }, bad);
  assert.equal(chat.body.type, undefined);
});

test('SCIM deprovisioning blocks every key of the user with metadata.scim_blocked', async (t) => {
  const sim = await startSimulator();
  t.after(() => sim.close());
  sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  const mine = sim.addKey({ user_id: 'alice', duration: '600s' });
  const other = sim.addKey({ duration: '600s' });
  assert.equal(scimDeprovision(sim, 'alice'), 1);
  const row = sim.keys().find((k) => k.token === mine.token);
  assert.equal(row?.blocked, true);
  assert.equal((row?.metadata as Record<string, unknown>).scim_blocked, true);
  const res = await post(`${sim.url}/chat/completions`, { model: 'gpt-4o', messages: [] }, { authorization: `Bearer ${mine.key}`, 'content-type': 'application/json' });
  assert.equal(res.status, 401);
  assert.match((res.body.error as { message: string }).message, /Key is blocked/);
  assert.equal(sim.keys().find((k) => k.token === other.token)?.blocked, false);
});

test('removing a user from a team deletes their keys for that team, not their other keys', async (t) => {
  const sim = await startSimulator();
  t.after(() => sim.close());
  sim.addUser({ user_id: 'alice', user_role: 'internal_user' });
  sim.addTeam({ team_id: 'team-a', members: [{ user_id: 'alice', role: 'user' }] });
  const teamKey = sim.addKey({ user_id: 'alice', team_id: 'team-a', duration: '600s' });
  const personal = sim.addKey({ user_id: 'alice', duration: '600s' });
  assert.equal(removeTeamMember(sim, 'team-a', 'alice'), 1);
  assert.equal(sim.keys().some((k) => k.token === teamKey.token), false);
  assert.equal(sim.keys().some((k) => k.token === personal.token), true);
  assert.deepEqual(sim.directory.team('team-a')?.members, []);
});
