// The loopback redirect target of the sign-in: `http://127.0.0.1:<ephemeral port>/callback`. It accepts exactly one
// callback carrying this sign-in's `state`; one with another state is answered 400 and ignored (anything on the
// machine can reach the port), and it gives up after 5 minutes on the injected clock.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { KeyfobError } from '../errors.js';
import type { Clock, TimerHandle } from '../ports.js';

export const CALLBACK_PATH = '/callback';
export const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

export const SIGNED_IN_PAGE = 'Signed in to LiteLLM. You can close this window and return to the terminal.';
const DENIED_PAGE = 'Sign-in was denied. You can close this window.';
const FAILED_PAGE = 'Sign-in failed. You can close this window and return to the terminal.';

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function page(res: ServerResponse, status: number, text: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Keyfob</title></head><body><p>${text}</p></body></html>`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' });
  res.end(html);
}

export class LoopbackListener {
  readonly redirectUri: string;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly expectedState: string;
  private readonly result: Promise<string>;
  private settle!: { resolve: (code: string) => void; reject: (e: KeyfobError) => void };
  private settled = false;
  private timer: TimerHandle | null = null;

  private constructor(server: Server, port: number, expectedState: string) {
    this.server = server;
    this.redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
    this.expectedState = expectedState;
    this.result = new Promise<string>((resolve, reject) => { this.settle = { resolve, reject }; });
    this.result.catch(() => undefined);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => this.onRequest(req, res));
  }

  /** Listens on 127.0.0.1 and an ephemeral port, for the one callback carrying `expectedState`. */
  static async open(expectedState: string): Promise<LoopbackListener> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => { server.off('error', reject); resolve(); });
    });
    return new LoopbackListener(server, (server.address() as AddressInfo).port, expectedState);
  }

  /** The authorization code of the callback, or the sign-in's failure; always closes the listener. */
  async waitForCode(clock: Clock, timeoutMs = SIGN_IN_TIMEOUT_MS): Promise<string> {
    this.timer = clock.setTimeout(() => this.finish(new KeyfobError('timeout',
      `The sign-in did not finish within ${Math.round(timeoutMs / 60_000)} minutes; run it again.`)), timeoutMs);
    try {
      return await this.result;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    if (!this.settled) this.finish(new KeyfobError('internal', 'The sign-in was abandoned.'));
    for (const socket of this.sockets) socket.destroySoon();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private finish(outcome: string | KeyfobError): void {
    if (this.settled) return;
    this.settled = true;
    if (typeof outcome === 'string') this.settle.resolve(outcome);
    else this.settle.reject(outcome);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return page(res, 404, 'Not found.');
    const state = url.searchParams.get('state') ?? '';
    if (this.settled || !sameString(state, this.expectedState)) {
      // Not this sign-in's callback (or a second one): refused, and the sign-in goes on waiting for its own.
      return page(res, 400, 'This is not the sign-in Keyfob is waiting for.');
    }
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (error === 'access_denied') {
      page(res, 200, DENIED_PAGE);
      return this.finish(new KeyfobError('invalid', 'sign-in was denied'));
    }
    if (error !== null || !code) {
      page(res, 400, FAILED_PAGE);
      const safe = (error ?? 'no code').replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64);
      return this.finish(new KeyfobError('server-error', `The sign-in failed: the proxy answered ${safe}.`));
    }
    page(res, 200, SIGNED_IN_PAGE);
    this.finish(code);
  }
}
