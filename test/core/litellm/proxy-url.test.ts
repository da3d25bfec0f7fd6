import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyfobError } from '../../../main/core/errors.js';
import { normalizeProxyUrl } from '../../../main/core/litellm/proxy-url.js';

describe('normalizeProxyUrl', () => {
  const good: Array<[string, string]> = [
    ['http://localhost:4000', 'http://localhost:4000'],
    ['http://localhost:4000/', 'http://localhost:4000'],
    ['https://litellm.example.com///', 'https://litellm.example.com'],
    // A trailing /v1 is kept: it may be the proxy's SERVER_ROOT_PATH (the client drops it only when nothing is there).
    ['https://litellm.example.com/v1', 'https://litellm.example.com/v1'],
    ['https://litellm.example.com/v1/', 'https://litellm.example.com/v1'],
    ['https://litellm.example.com/api/v1', 'https://litellm.example.com/api/v1'],
    ['https://LiteLLM.Example.com:443/', 'https://litellm.example.com'],
    ['https://gw.example.com/litellm', 'https://gw.example.com/litellm'],
    ['https://gw.example.com/litellm/v1/', 'https://gw.example.com/litellm/v1'],
    ['  http://127.0.0.1:4000  ', 'http://127.0.0.1:4000'],
    ['HTTP://[::1]:4000/', 'http://[::1]:4000'],
    ['https://gw.example.com/v1x', 'https://gw.example.com/v1x'],
  ];
  for (const [input, output] of good) test(`${JSON.stringify(input)} → ${output}`, () => assert.equal(normalizeProxyUrl(input), output));

  const bad: Array<[string, RegExp]> = [
    ['', /required/],
    ['localhost:4000', /http:\/\/ or https:\/\//],
    ['ftp://example.com', /http:\/\/ or https:\/\//],
    ['file:///etc/passwd', /http:\/\/ or https:\/\//],
    ['https://admin:sk-secret1234@example.com', /admin-key field/],
    ['https://sk-secret1234@example.com', /admin-key field/],
    ['https://example.com/?key=1', /query/],
    ['https://example.com/#frag', /fragment/],
    ['http://exa mple.com', /not a valid URL/],
  ];
  for (const [input, message] of bad) {
    test(`rejects ${JSON.stringify(input)} on the field "url" with an example`, () => {
      try {
        normalizeProxyUrl(input);
        assert.fail('expected an error');
      } catch (e) {
        assert.ok(e instanceof KeyfobError);
        assert.equal(e.kind, 'validation');
        assert.deepEqual(e.fields.map((f) => f.field), ['url']);
        assert.match(e.message, message);
        assert.doesNotMatch(e.message, /secret1234/, 'credentials are never echoed');
        if (!/admin-key/.test(e.message)) assert.match(e.message, /example|http/);
      }
    });
  }

  test('the field name can be chosen', () => {
    assert.throws(() => normalizeProxyUrl('nope', 'litellm_url'), (e: unknown) => e instanceof KeyfobError && e.fields[0]?.field === 'litellm_url');
  });
});
