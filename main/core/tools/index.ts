// tools/: keys go where they are used. `keyfob token` (the key helper Claude Code and Codex run), the environment
// every other tool reads, and the merges `keyfob setup` makes into Claude Code's and Codex's own configuration.
// Plain functions, called by the CLI and the app alike. This index stays cheap to load — nothing here imports the
// settings or leases groups at load time — because the token hot path loads it on every helper call.
export * from './token-policy.js';
export * from './live-key.js';
export * from './token-service.js';
export * from './tool-asks.js';
export * from './base-urls.js';
export * from './shell-quote.js';
export * from './tool-env.js';
export * from './helper-command.js';
export * from './config-file.js';
export * from './file-lock.js';
export * from './claude-settings.js';
export * from './codex-config.js';
export * from './shell-setup.js';
export * from './tool-models.js';
export * from './tool-registry.js';
export * from './tool-setup.js';
export * from './json-text.js';
