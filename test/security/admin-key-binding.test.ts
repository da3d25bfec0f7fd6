// The binding rule itself (for every credential kind), and the core's keeping of it: where the binding is stored,
// how a key stored before bindings existed is bound, and that forgetting the key forgets its binding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADMIN_KEY_BINDING_ACCOUNT, bindingDocument, bindingProblem, decodeBinding, encodeBinding, readBindingDocument } from '../../main/core/keychain/index.js';
import { harness } from '../core/leases/helpers.js';
import { startHostileServer } from './hostile-server.js';

const HOME = { url: 'https://litellm.example.com', ca_file: null, allow_insecure_tls: false };
/** What a binding reads back as: the LiteLLM proxy, no namespace, unless it says otherwise. */
const AS_READ = { backend: 'litellm', namespace: null } as const;

describe('bindingProblem', () => {
  it('allows the same URL with TLS as strict or stricter, and nothing else', () => {
    assert.equal(bindingProblem(HOME, HOME), null);
    assert.match(bindingProblem(HOME, { ...HOME, url: 'https://litellm.example.com.evil.example' }) ?? '', /entered for https:\/\/litellm\.example\.com, not/);
    assert.match(bindingProblem(HOME, { ...HOME, url: 'http://litellm.example.com' }) ?? '', /not http:/, 'plain http is another URL');
    assert.match(bindingProblem(HOME, { ...HOME, allow_insecure_tls: true }) ?? '', /certificate checks on/);
    assert.match(bindingProblem(HOME, { ...HOME, ca_file: '/tmp/attacker.pem' }) ?? '', /without an extra CA file/);
    const corporate = { ...HOME, ca_file: '/etc/ssl/corp.pem', allow_insecure_tls: true };
    assert.equal(bindingProblem(corporate, { ...corporate, ca_file: null }), null, 'public CAs only is stricter');
    assert.equal(bindingProblem(corporate, { ...corporate, allow_insecure_tls: false }), null, 'checks back on is stricter');
    assert.match(bindingProblem(corporate, { ...corporate, ca_file: '/tmp/other.pem' }) ?? '', /with the CA file \/etc\/ssl\/corp\.pem/);
  });

  it('round-trips through its stored form; anything else reads as no binding', () => {
    assert.deepEqual(decodeBinding(encodeBinding(HOME)), { ...HOME, ...AS_READ });
    // What Keyfob wrote before bindings had a backend still reads, as the LiteLLM proxy's.
    assert.deepEqual(decodeBinding('{"v":1,"url":"https://litellm.example.com","ca_file":null,"allow_insecure_tls":false,"key_sha256":"ab"}'), { ...HOME, ...AS_READ });
    for (const bad of [null, '', 'sk-not-json', '{}', '{"v":2,"url":"x","ca_file":null,"allow_insecure_tls":false}', '{"v":1,"url":"x","ca_file":3,"allow_insecure_tls":false}',
      '{"v":1,"url":"x","ca_file":null,"allow_insecure_tls":false,"backend":"ftp"}', '{"v":1,"url":"x","ca_file":null,"allow_insecure_tls":false,"namespace":7}']) {
      assert.equal(decodeBinding(bad), null, String(bad));
    }
  });

  it('binds a Vault token to its namespace too, and fits inside the credential\'s own keychain entry', () => {
    const vault = { backend: 'vault', url: 'https://vault.example.com', ca_file: null, allow_insecure_tls: false, namespace: 'team-a' } as const;
    assert.equal(bindingProblem(vault, vault), null);
    assert.match(bindingProblem(vault, { ...vault, namespace: 'team-b' }, 'the stored Vault token') ?? '', /the stored Vault token was entered for the namespace team-a/);
    assert.match(bindingProblem(vault, { ...vault, namespace: null }) ?? '', /namespace team-a/);
    assert.match(bindingProblem(vault, { ...vault, backend: 'litellm' }) ?? '', /another kind of server/);
    // An SSO session or a Vault token stores its binding in the same JSON document as its secret.
    const entry = JSON.stringify({ token: 'hvs.secret', binding: bindingDocument(vault) });
    assert.deepEqual(readBindingDocument((JSON.parse(entry) as { binding: unknown }).binding), vault);
    assert.equal(readBindingDocument({ ...bindingDocument(vault), url: '' }), null);
  });
});

describe('the core keeps the binding in the keychain', () => {
  it('connect stores it next to the key, forgetAdminKey deletes both', async () => {
    const h = await harness();
    try {
      assert.deepEqual(decodeBinding(await h.keychain.get(ADMIN_KEY_BINDING_ACCOUNT)), { url: h.sim.url, ca_file: null, allow_insecure_tls: false, ...AS_READ });
      await h.core.forgetAdminKey();
      assert.equal(await h.keychain.get('admin-key'), null);
      assert.equal(await h.keychain.get(ADMIN_KEY_BINDING_ACCOUNT), null);
    } finally {
      await h.close();
    }
  });

  it('a key stored before bindings existed is bound to the settings at its first use, and stays there', async () => {
    const hostile = await startHostileServer();
    const h = await harness();
    try {
      await h.keychain.delete(ADMIN_KEY_BINDING_ACCOUNT); // what an older Keyfob left: the key alone
      const core = h.reopen();
      assert.ok(Array.isArray(await core.listModels()), 'the key still works where it was used');
      assert.deepEqual(decodeBinding(await h.keychain.get(ADMIN_KEY_BINDING_ACCOUNT))?.url, h.sim.url, 'and is bound there from now on');

      core.updateSettings({ litellm_url: hostile.url });
      await assert.rejects(core.listModels(), { kind: 'not-connected' });
      const later = h.reopen(); // a later process reads the binding from the keychain, not from the settings
      await assert.rejects(later.listModels(), { kind: 'not-connected' });
      assert.deepEqual(hostile.carrying(await h.keychain.get('admin-key') ?? 'x'), []);
      assert.deepEqual(hostile.requests, [], 'nothing at all was sent to the other host');
    } finally {
      await h.close();
      await hostile.close();
    }
  });

  it('a binding that names another key (a connect cut off between its two keychain writes) sends the key nowhere', async () => {
    const hostile = await startHostileServer();
    const h = await harness();
    try {
      // connect writes the new key's binding first; a crash before the key itself leaves the old key paired with it
      const other = { url: hostile.url, ca_file: null, allow_insecure_tls: false };
      await h.keychain.set(ADMIN_KEY_BINDING_ACCOUNT, encodeBinding(other, 'sk-the-new-key-never-stored'));
      const core = h.reopen();
      core.updateSettings({ litellm_url: hostile.url });
      await assert.rejects(core.listModels(), { kind: 'not-connected' });
      assert.deepEqual(hostile.requests, [], 'the old key went nowhere');
      assert.equal(decodeBinding(await h.keychain.get(ADMIN_KEY_BINDING_ACCOUNT))?.url, hostile.url, 'and no binding was adopted over it');
    } finally {
      await h.close();
      await hostile.close();
    }
  });
});
