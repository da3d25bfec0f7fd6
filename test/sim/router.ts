// The proxy's routes. A path the table does not know is FastAPI's 404; a known path with another method, 405.
import { blockKey, deleteKeys, generateKey, keyInfo, listKeys, regenerateKey, unblockKey, updateKey } from './routes/key-management.js';
import { liveliness, readiness } from './routes/health.js';
import { anthropicMessages, chatCompletion, home, listModels, modelInfo, responses } from './routes/llm.js';
import { userInfo } from './routes/user-info.js';
import { methodNotAllowed, NOT_FOUND } from './responses.js';
import type { RouteHandler } from './state.js';
import { authorize, completeAuthorization, idpLogin, idpLoginPage } from './routes/sso-consent.js';
import { LEGACY_POLL_PREFIX, legacyConfirm, legacyPoll, legacyStart } from './routes/sso-legacy.js';
import { discovery, register } from './routes/sso-register.js';
import { revoke, token } from './routes/sso-token.js';
import { withAnthropicEnvelope } from './later-releases.js';

const ROUTES: Record<string, { method: 'GET' | 'POST'; handler: RouteHandler }> = {
  '/key/generate': { method: 'POST', handler: generateKey },
  '/key/update': { method: 'POST', handler: updateKey },
  '/key/delete': { method: 'POST', handler: deleteKeys },
  '/key/info': { method: 'GET', handler: keyInfo },
  '/key/list': { method: 'GET', handler: listKeys },
  '/key/block': { method: 'POST', handler: blockKey },
  '/key/unblock': { method: 'POST', handler: unblockKey },
  '/key/regenerate': { method: 'POST', handler: regenerateKey },
  '/user/info': { method: 'GET', handler: userInfo },
  '/v1/models': { method: 'GET', handler: listModels },
  '/models': { method: 'GET', handler: listModels },
  '/model/info': { method: 'GET', handler: modelInfo },
  '/v1/model/info': { method: 'GET', handler: modelInfo },
  '/chat/completions': { method: 'POST', handler: chatCompletion },
  '/v1/chat/completions': { method: 'POST', handler: chatCompletion },
  '/v1/messages': { method: 'POST', handler: withAnthropicEnvelope(anthropicMessages) },
  '/responses': { method: 'POST', handler: responses },
  '/v1/responses': { method: 'POST', handler: responses },
  '/': { method: 'GET', handler: home },
  '/health/liveliness': { method: 'GET', handler: liveliness },
  '/health/liveness': { method: 'GET', handler: liveliness },
  '/health/readiness': { method: 'GET', handler: readiness },
};

/** The sign-in routes (sso-state.ts says which release serves which): one path may take GET and POST. */
const SSO_ROUTES: Record<string, RouteHandler> = {
  'GET /.well-known/litellm-cli-auth': discovery,
  'POST /register': register,
  'GET /authorize': authorize,
  'POST /authorize/complete': completeAuthorization,
  'POST /token': token,
  'POST /revoke': revoke,
  'GET /sso/key/generate': idpLoginPage,
  'POST /sso/key/generate': idpLogin,
  'POST /sso/cli/start': legacyStart,
  'POST /sso/cli/confirm': legacyConfirm,
};

export function route(method: string, path: string): RouteHandler {
  const sso = SSO_ROUTES[`${method === 'HEAD' ? 'GET' : method} ${path}`];
  if (sso) return sso;
  if (method === 'GET' && path.startsWith(LEGACY_POLL_PREFIX)) return legacyPoll;
  const entry = ROUTES[path];
  if (!entry) return () => NOT_FOUND;
  // Starlette answers HEAD wherever it answers GET (Claude Code sends `HEAD /` first).
  if (entry.method !== method && !(method === 'HEAD' && entry.method === 'GET')) return () => methodNotAllowed(entry.method);
  return entry.handler;
}

export const KNOWN_ROUTES: readonly string[] = Object.keys(ROUTES);
