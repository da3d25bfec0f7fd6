import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bypassedByNoProxy, isLoopback, proxyForUrl } from '../../../main/core/http/index.js';

describe('proxyForUrl', () => {
  test('HTTPS_PROXY for https targets, HTTP_PROXY for http targets', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:8080' };
    assert.deepEqual(proxyForUrl('https://litellm.example.com', env), { protocol: 'http', host: 'proxy.corp', port: 3128, display: 'http://proxy.corp:3128' });
    assert.equal(proxyForUrl('http://litellm.example.com', env)?.host, 'plain.corp');
  });
  test('lower case wins; ALL_PROXY is the fallback; a scheme-less proxy is http', () => {
    assert.equal(proxyForUrl('https://x.example', { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:2' })?.host, 'low');
    assert.equal(proxyForUrl('https://x.example', { ALL_PROXY: 'all.corp:3' })?.display, 'http://all.corp:3');
  });
  test('no variables: direct', () => assert.equal(proxyForUrl('https://x.example', {}), null));
  test('proxy credentials are carried but not displayed', () => {
    const p = proxyForUrl('https://x.example', { HTTPS_PROXY: 'http://u%40corp:p%3Ass@proxy.corp:3128' });
    assert.deepEqual(p?.auth, { username: 'u@corp', password: 'p:ss' });
    assert.equal(p?.display, 'http://proxy.corp:3128');
  });
  test('loopback is never proxied, even without NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' };
    for (const url of ['http://127.0.0.1:4000', 'http://localhost:4000', 'http://[::1]:4000', 'https://127.9.9.9', 'http://app.localhost']) {
      assert.equal(proxyForUrl(url, env), null, url);
    }
  });
  test('NO_PROXY is honoured', () => {
    const env = { HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: 'internal.corp,.svc.local' };
    assert.equal(proxyForUrl('https://litellm.internal.corp', env), null);
    assert.equal(proxyForUrl('https://a.b.svc.local', env), null);
    assert.notEqual(proxyForUrl('https://litellm.example.com', env), null);
  });
});

describe('NO_PROXY matching', () => {
  const table: Array<[string, number, string, boolean]> = [
    ['example.com', 443, '*', true],
    ['example.com', 443, 'example.com', true],
    ['api.example.com', 443, 'example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['api.example.com', 443, '.example.com', true],
    ['api.example.com', 443, '*.example.com', true],
    ['example.com', 443, 'example.com:8443', false],
    ['example.com', 8443, 'example.com:8443', true],
    ['10.1.2.3', 443, '10.0.0.0/8', true],
    ['11.1.2.3', 443, '10.0.0.0/8', false],
    ['10.1.2.3', 443, 'foo, 10.1.2.3 ,bar', true],
    ['example.com', 443, '', false],
    ['EXAMPLE.com'.toLowerCase(), 443, 'Example.COM', true],
  ];
  for (const [host, port, noProxy, expected] of table) {
    test(`${host}:${port} with NO_PROXY=${JSON.stringify(noProxy)} → ${expected ? 'direct' : 'proxied'}`, () => {
      assert.equal(bypassedByNoProxy(host, port, noProxy), expected);
    });
  }
  test('isLoopback', () => {
    assert.equal(isLoopback('127.0.0.1'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('10.0.0.1'), false);
    assert.equal(isLoopback('localhost.example.com'), false);
  });
});
