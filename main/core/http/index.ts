// http/: how Keyfob reaches every server it acts on (the LiteLLM proxy, its sign-in endpoints, Vault) — one transport
// (no redirects, a deadline for the whole exchange, a size cap), one TLS rule with the person's CA file, and the
// outbound proxy from HTTPS_PROXY / NO_PROXY. What an answer means stays with each client.
export * from './http-transport.js';
export * from './proxy-env.js';
export * from './tls-agent.js';
export * from './ca-file.js';
