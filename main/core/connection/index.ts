// connection/: the connection to the key backend — the credential read from the keychain (today a static LiteLLM
// key), its binding checked before every request, the caller identity (remembered across processes) and the client.
export * from './connection.js';
export * from './static-key-credential.js';
export * from './stored-credential.js';
export * from './identity-cache.js';
export * from './vault-connection.js';
export * from './vault-session-watch.js';
