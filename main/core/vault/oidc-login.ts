// OIDC sign-in as `vault login -method=oidc` does it: a client_nonce, `auth_url` with the redirect
// `http://localhost:8250/oidc/callback` (port configurable), the browser opened on it (and the URL printed), a local
// listener that takes exactly one callback carrying the state Vault issued, then `…/oidc/callback` with the nonce.
// Two minutes to finish, timed by the injected clock.
import { randomInt } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KeyfobError } from '../errors.js';
import type { Clock } from '../ports.js';
import type { VaultClient } from './vault-client.js';
import { readAuthReply, type AuthReply } from './vault-responses.js';

export const OIDC_DEFAULT_PORT = 8250;
export const OIDC_TIMEOUT_MS = 2 * 60 * 1000;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface OidcLoginOptions {
  client: VaultClient;
  clock: Clock;
  /** The OIDC role; absent = the mount's default_role. */
  role?: string;
  /** Auth mount. Default `oidc`. */
  mount?: string;
  /** Local callback port. Default 8250; 0 = any free port (tests). */
  port?: number;
  /** Opens the person's browser ($BROWSER or the platform opener); failures are not fatal, the URL is printed. */
  openBrowser(url: string): Promise<void>;
  /** Shows a line to the person (stderr in the CLI). */
  print(line: string): void;
}

export function clientNonce(): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += BASE62[randomInt(62)];
  return out;
}

const PAGE = (title: string) => `<!doctype html><meta charset="utf-8"><title>Keyfob</title><p>${title}</p>`;

export async function loginWithOidc(opts: OidcLoginOptions): Promise<AuthReply> {
  const mount = opts.mount ?? 'oidc';
  const nonce = clientNonce();
  const callback = await listenForCallback(opts.port ?? OIDC_DEFAULT_PORT);
  try {
    const redirectUri = `http://localhost:${callback.port}/oidc/callback`;
    const answer = await opts.client.write(`auth/${mount}/oidc/auth_url`, { role: opts.role ?? '', redirect_uri: redirectUri, client_nonce: nonce }, { anonymous: true });
    const authUrl = (answer?.data as { auth_url?: unknown } | undefined)?.auth_url;
    if (typeof authUrl !== 'string' || authUrl === '') {
      throw new KeyfobError('invalid-request', `Unable to authorize role "${opts.role ?? '(default)'}" with redirect_uri "${redirectUri}".`, {
        hint: `Ask your platform team to add ${redirectUri} to the OIDC role's allowed_redirect_uris.`,
      });
    }
    const expectedState = new URL(authUrl).searchParams.get('state');
    // The 2 minutes start before the browser opens, as the CLI's do; the wait is awaited below.
    const waiting = callback.next(expectedState, opts.clock);
    waiting.catch(() => undefined);
    opts.print(`Complete the sign-in in your browser. If it did not open, visit:\n\n    ${authUrl}\n`);
    // Not awaited: the browser lives on its own, and its page waits for this login's answer. A browser that failed to
    // start is not fatal (the URL is printed); a page the opener refused to open (validation) ends the sign-in now
    // instead of after 2 minutes of waiting for a callback that cannot come.
    const refused = opts.openBrowser(authUrl).then(
      () => new Promise<never>(() => undefined),
      (e: unknown) => (e instanceof KeyfobError && e.kind === 'validation' ? Promise.reject(e) : new Promise<never>(() => undefined)),
    );
    const params = await Promise.race([waiting, refused]);
    const reply = await opts.client.read(`auth/${mount}/oidc/callback`, {
      anonymous: true, query: { state: params.state, code: params.code, id_token: '', client_nonce: nonce }, secrets: [params.code],
    }).catch((e: unknown) => {
      callback.answer(false);
      throw e;
    });
    callback.answer(true);
    return readAuthReply(reply);
  } finally {
    await callback.close();
  }
}

interface CallbackParams {
  state: string;
  code: string;
}

interface CallbackListener {
  port: number;
  next(expectedState: string | null, clock: Clock): Promise<CallbackParams>;
  answer(ok: boolean): void;
  close(): Promise<void>;
}

/** A loopback-only listener for `/oidc/callback`: the first request with the expected state wins, others get 400. */
async function listenForCallback(port: number): Promise<CallbackListener> {
  let deliver: ((p: CallbackParams | Error) => void) | null = null;
  let expected: string | null = null;
  let pendingResponse: ServerResponse | null = null;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/oidc/callback' || deliver === null) {
      res.writeHead(404, { 'Content-Type': 'text/html' }).end(PAGE('Not found.'));
      return;
    }
    const state = url.searchParams.get('state') ?? '';
    if (expected !== null && state !== expected) {
      res.writeHead(400, { 'Content-Type': 'text/html' }).end(PAGE('This sign-in link is not the one Keyfob started.'));
      return;
    }
    const take = deliver;
    deliver = null;
    const error = url.searchParams.get('error');
    if (error !== null) {
      res.writeHead(400, { 'Content-Type': 'text/html' }).end(PAGE('Sign-in was refused by the identity provider.'));
      take(new KeyfobError('admin-key-rejected', `The identity provider refused the sign-in (${error.replace(/[^\w.-]/g, '').slice(0, 60)}).`));
      return;
    }
    pendingResponse = res;
    take({ state, code: url.searchParams.get('code') ?? '' });
  });
  await new Promise<void>((resolve, reject) => {
    // Named as a field, so the window shows it on its callback port field and the CLI names the flag.
    server.once('error', (e: NodeJS.ErrnoException) => reject(new KeyfobError('invalid-request', `Cannot listen on localhost:${port} for the OIDC callback (${e.code ?? e.message}).`, {
      fields: [{ field: 'oidc-port', message: e.code === 'EADDRINUSE' ? `is taken: another program listens on localhost:${port}` : `cannot be used: listening on localhost:${port} failed (${e.code ?? e.message})` }],
      hint: 'Close the program using that port, or choose another callback port (--oidc-port in the terminal, "Callback port" in the window); the OIDC role must allow its redirect URI.',
    })));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    next(expectedState, clock) {
      expected = expectedState;
      return new Promise<CallbackParams>((resolve, reject) => {
        const timer = clock.setTimeout(() => {
          deliver = null;
          reject(new KeyfobError('timeout', 'Timed out waiting for response from provider (2 minutes).', { hint: 'Run the sign-in again and finish it in the browser.' }));
        }, OIDC_TIMEOUT_MS);
        deliver = (p) => {
          timer.cancel();
          if (p instanceof Error) reject(p);
          else resolve(p);
        };
      });
    },
    answer(ok) {
      const res = pendingResponse;
      pendingResponse = null;
      res?.writeHead(ok ? 200 : 400, { 'Content-Type': 'text/html' }).end(PAGE(ok ? 'Signed in to Vault. You can close this tab.' : 'Vault refused the sign-in; see the terminal.'));
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
