// litellm/: everything that speaks to a LiteLLM proxy — the axios client, the admin API's request and response
// types, response parsing, how an HTTP or network failure becomes a KeyfobError with a person's message, the proxy
// as a KeyBackend (litellm-key-backend.ts), and the proxy URL rules. (The transport, TLS and
// HTTPS_PROXY/NO_PROXY are ../http/.)
export * from './litellm-client.js';
export * from './litellm-api.js';
export * from './litellm-errors.js';
export * from './litellm-responses.js';
export * from './proxy-url.js';
export * from './caller-identity.js';
export * from './remote-text.js';
export * from './litellm-key-backend.js';
